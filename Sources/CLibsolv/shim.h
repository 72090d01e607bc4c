#ifndef ODCS_CLIBSOLV_SHIM_H
#define ODCS_CLIBSOLV_SHIM_H

#include <stdio.h>
#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>
#include <solv/repo_rpmdb.h>
#include <solv/repo_rpmmd.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/solvversion.h>
#include <solv/selection.h>
#include <solv/solvable.h>
#include <solv/evr.h>
#include <solv/knownid.h>
#include <solv/dataiterator.h>
#include <solv/solv_xfopen.h>

/* Function-like macros do not import into Swift; these wrap the few the solver needs. */

/** Whether `id` names a relation (versioned or rich dependency) rather than a plain string. */
static inline int odcs_is_reldep(Id id) { return ISRELDEP(id); }

/** The providers of dependency `dep` as a 0-terminated array owned by the pool (valid until the next
    pool_createwhatprovides or pool_addrelproviders growth, so callers copy it out at once). */
static inline const Id *odcs_whatprovides(Pool *pool, Id dep) {
    /* pool_whatprovides may grow whatprovidesdata for a new relation, so read the base pointer after it. */
    Id offset = pool_whatprovides(pool, dep);
    return pool->whatprovidesdata + offset;
}

/** The libsolv library's version at run time ("0.7.23"), which names `.solv` snapshots. */
static inline const char *odcs_solv_version(void) { return solv_version; }

/** Keeps what solving reads (names, versions, arches, dependencies, file lists, source
    package) and drops the rest of a package's data (summary, description, checksums, media
    location, changelog...): snapshots of repository metadata write in a fifth of the time. */
static inline int odcs_solving_keyfilter(Repo *repo, Repokey *key, void *kfdata) {
  switch (key->name) {
  case SOLVABLE_SUMMARY: case SOLVABLE_DESCRIPTION: case SOLVABLE_DISTRIBUTION: case SOLVABLE_AUTHORS:
  case SOLVABLE_PACKAGER: case SOLVABLE_GROUP: case SOLVABLE_URL: case SOLVABLE_KEYWORDS: case SOLVABLE_LICENSE:
  case SOLVABLE_BUILDTIME: case SOLVABLE_BUILDHOST: case SOLVABLE_EULA: case SOLVABLE_CPEID: case SOLVABLE_MESSAGEINS:
  case SOLVABLE_MESSAGEDEL: case SOLVABLE_INSTALLSIZE: case SOLVABLE_DISKUSAGE: case SOLVABLE_DOWNLOADSIZE:
  case SOLVABLE_MEDIADIR: case SOLVABLE_MEDIAFILE: case SOLVABLE_MEDIANR: case SOLVABLE_MEDIABASE:
  case SOLVABLE_CHECKSUM: case SOLVABLE_PKGID: case SOLVABLE_HDRID: case SOLVABLE_LEADSIGID: case SOLVABLE_HEADEREND:
  case SOLVABLE_CHANGELOG: case SOLVABLE_CHANGELOG_AUTHOR: case SOLVABLE_CHANGELOG_TIME: case SOLVABLE_CHANGELOG_TEXT:
  case SOLVABLE_INSTALLTIME:
    return KEY_STORAGE_DROPPED;
  default:
    return repo_write_stdkeyfilter(repo, key, kfdata);
  }
}

/** `repo_write` with `odcs_solving_keyfilter`. */
static inline int odcs_write_for_solving(Repo *repo, FILE *fp) {
  Repowriter *writer = repowriter_create(repo);
  repowriter_set_keyfilter(writer, odcs_solving_keyfilter, 0);
  int result = repowriter_write(writer, fp);
  repowriter_free(writer);
  return result;
}

#endif
