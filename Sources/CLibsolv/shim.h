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

#endif
