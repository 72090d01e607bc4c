enum ODCSRepoModule {}
