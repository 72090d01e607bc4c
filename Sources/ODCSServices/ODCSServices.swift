enum ODCSServicesModule {}
