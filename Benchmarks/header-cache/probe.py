#!/usr/bin/python3
"""Probe for docs/header-cache.md: how fast does libsolv load one tag snapshot (.solv) of a
Fedora-sized tag, and how much memory does it take?

Writes synthetic rpm-md (primary.xml, filelists.xml) for BUILDS builds (x86_64 builds with
main, -libs and -devel subpackages, every sixth also for i686, every fourth noarch; 3-12
requirements each on other builds' sonames, packages or /usr/bin files; FILES files per
package), turns it into a .solv snapshot as the cache would (parse, internalize, file provides
added, repo_write), then loads the snapshot in fresh pools as a warm compose would:
add_solv, addfileprovides, createwhatprovides, one file-dependency lookup.

Needs Debian's python3-solv (not a project dependency). Usage:
    /usr/bin/python3 Benchmarks/header-cache/probe.py [--builds 20000] [--files 100] [--workdir DIR]
    /usr/bin/python3 Benchmarks/header-cache/probe.py --workdir DIR --load-only   # peak RSS of loading alone
"""
import argparse
import os
import random
import resource
import tempfile
import time

import solv


def write_metadata(directory, builds, files_per_package):
    random.seed(17)
    packages = []
    for b in range(builds):
        subpackages = ["pkg%05d" % b, "pkg%05d-libs" % b, "pkg%05d-devel" % b]
        arches = ["noarch"] if b % 4 == 0 else ["x86_64"] + (["i686"] if b % 6 == 0 else [])
        packages += [(b, name, arch) for arch in arches for name in subpackages]
    with open(os.path.join(directory, "primary.xml"), "w") as primary, open(os.path.join(directory, "filelists.xml"), "w") as filelists:
        primary.write('<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" '
                      'xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="%d">\n' % len(packages))
        filelists.write('<?xml version="1.0" encoding="UTF-8"?>\n<filelists xmlns="http://linux.duke.edu/metadata/filelists" '
                        'packages="%d">\n' % len(packages))
        for index, (b, name, arch) in enumerate(packages):
            pkgid = "%064x" % index
            soname = "lib%s.so.%d" % (name, b % 7)
            provides = ['<rpm:entry name="%s" flags="EQ" epoch="0" ver="1.%d" rel="1.fc40"/>' % (name, b % 10)]
            if name.endswith("-libs"):
                provides.append('<rpm:entry name="%s()(64bit)"/>' % soname)
            requires = []
            for _ in range(random.randint(3, 12)):
                other, kind = random.randrange(builds), random.random()
                if kind < 0.6:
                    requires.append('<rpm:entry name="libpkg%05d-libs.so.%d()(64bit)"/>' % (other, other % 7))
                elif kind < 0.9:
                    requires.append('<rpm:entry name="pkg%05d" flags="GE" epoch="0" ver="1.0"/>' % other)
                else:
                    requires.append('<rpm:entry name="/usr/bin/pkg%05d"/>' % other)
            files = ["/usr/share/%s/file%03d" % (name, k) for k in range(files_per_package)]
            primary_files = []
            if name == "pkg%05d" % b:
                files.append("/usr/bin/" + name)
                primary_files.append("/usr/bin/" + name)
            if name.endswith("-libs"):
                files.append("/usr/lib64/" + soname)
            primary.write(
                '<package type="rpm"><name>%s</name><arch>%s</arch><version epoch="0" ver="1.%d" rel="1.fc40"/>'
                '<checksum type="sha256" pkgid="YES">%s</checksum><summary>s</summary><description>d</description>'
                '<packager/><url/><time file="1" build="1"/><size package="1000" installed="2000" archive="2100"/>'
                '<location href="Packages/%s/%s-1.%d-1.fc40.%s.rpm"/><format><rpm:license>MIT</rpm:license>'
                '<rpm:sourcerpm>pkg%05d-1.%d-1.fc40.src.rpm</rpm:sourcerpm><rpm:header-range start="1" end="2"/>'
                '<rpm:provides>%s</rpm:provides><rpm:requires>%s</rpm:requires>%s</format></package>\n'
                % (name, arch, b % 10, pkgid, name[0], name, b % 10, arch, b, b % 10, "".join(provides),
                   "".join(requires), "".join("<file>%s</file>" % f for f in primary_files)))
            filelists.write('<package pkgid="%s" name="%s" arch="%s"><version epoch="0" ver="1.%d" rel="1.fc40"/>%s</package>\n'
                            % (pkgid, name, arch, b % 10, "".join("<file>%s</file>" % f for f in files)))
        primary.write("</metadata>\n")
        filelists.write("</filelists>\n")
    return len(packages)


def new_pool():
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_RPM)
    pool.setarch("x86_64")
    return pool


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--builds", type=int, default=20000)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--workdir")
    parser.add_argument("--load-only", action="store_true", help="only load the snapshot an earlier run left in --workdir")
    args = parser.parse_args()
    directory = args.workdir or tempfile.mkdtemp(prefix="header-cache-probe-")
    snapshot = os.path.join(directory, "snapshot.solv")
    if not args.load_only:
        make_snapshot(directory, snapshot, args.builds, args.files)
    load_snapshot(snapshot)
    print("peak RSS of this process: %d MB" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024))


def make_snapshot(directory, snapshot, builds, files):
    count = write_metadata(directory, builds, files)

    started = time.monotonic()
    pool = new_pool()
    repo = pool.add_repo("tag")
    repo.add_rpmmd(solv.xfopen(os.path.join(directory, "primary.xml")), None)
    repo.add_rpmmd(solv.xfopen(os.path.join(directory, "filelists.xml")), None, solv.Repo.REPO_EXTEND_SOLVABLES)
    repo.internalize()
    pool.addfileprovides()
    out = solv.xfopen(snapshot, "w")
    repo.write(out)
    out.close()
    made = time.monotonic() - started
    del repo, pool
    print("%d RPMs, %d files each: rpm-md -> .solv %.1f s, snapshot %.1f MB" % (count, files, made, os.path.getsize(snapshot) / 1e6))


def load_snapshot(snapshot):
    for attempt in range(3):
        marks = [time.monotonic()]
        pool = new_pool()
        repo = pool.add_repo("tag")
        repo.add_solv(solv.xfopen(snapshot))
        marks.append(time.monotonic())
        pool.addfileprovides()
        marks.append(time.monotonic())
        pool.createwhatprovides()
        marks.append(time.monotonic())
        assert pool.whatprovides(pool.Dep("/usr/bin/pkg00042"))
        print("warm load %d: add_solv %.3f s, addfileprovides %.3f s, createwhatprovides %.3f s" % (
            attempt + 1, marks[1] - marks[0], marks[2] - marks[1], marks[3] - marks[2]))
        del repo, pool


if __name__ == "__main__":
    main()
