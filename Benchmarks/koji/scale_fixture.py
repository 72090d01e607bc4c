#!/usr/bin/env python3
"""A Fedora-scale Koji fixture for `koji-test-hub`, written directly (no rpmbuild).

    Benchmarks/koji/scale_fixture.py                       # 20,000 builds, cached
    Benchmarks/koji/scale_fixture.py --builds 2000 --check  # smaller, then rpm -qp/createrepo_c

Writes `<cache>/koji/packages/...` (Koji's PathInfo layout, signed copies under
`data/signed/<sigkey>/<arch>/`), Koji's repository of the child tag under
`<cache>/koji/repos/<tag>/1/<arch>/` (for composes without koji_topdir) and `<cache>/fixture.json` (the hub's `SavedFixture`), which
`koji-test-hub --directory <cache> --fixture <name> --reuse` serves. The cache directory is
named after GENERATOR_VERSION and the parameters, so a second run reuses it and a change of
the generator writes a new one. See Benchmarks/koji/README.md, "The scale fixture".

Every RPM is a real RPM v4 file: lead, signature header (SHA1/SHA256 header digests, MD5 over
header and payload, sizes; a real OpenPGP RSA header signature made by gpg on the signed
copies), main header with immutable regions, and a gzip cpio (newc) payload holding the
files the header lists (empty files: their SHA-256 digests are the empty file's). Stdlib
only, plus gpg for the signed copies.
"""

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import struct
import subprocess
import sys
import time
import zlib

GENERATOR_VERSION = 1
TAGS = ("scale-base", "scale-updates", "scale-build")  # child last; each inherits the one before
DIST = "fc45"
BUILDTIME = 1_795_700_000
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# ---------------------------------------------------------------- RPM header encoding
NULL, CHAR, INT8, INT16, INT32, INT64, STRING, BIN, STRING_ARRAY, I18NSTRING = range(10)
ALIGN = {INT16: 2, INT32: 4, INT64: 8}

# Main header tags.
T = dict(
    I18NTABLE=100, NAME=1000, VERSION=1001, RELEASE=1002, EPOCH=1003, SUMMARY=1004, DESCRIPTION=1005,
    BUILDTIME=1006, BUILDHOST=1007, SIZE=1009, LICENSE=1014, GROUP=1016, URL=1020, OS=1021, ARCH=1022,
    FILESIZES=1028, FILEMODES=1030, FILERDEVS=1033, FILEMTIMES=1034, FILEDIGESTS=1035, FILELINKTOS=1036,
    FILEFLAGS=1037, FILEUSERNAME=1039, FILEGROUPNAME=1040, SOURCERPM=1044, PROVIDENAME=1047,
    REQUIREFLAGS=1048, REQUIRENAME=1049, REQUIREVERSION=1050, RPMVERSION=1064, FILEVERIFYFLAGS=1045,
    FILEDEVICES=1095, FILEINODES=1096, FILELANGS=1097, SOURCEPACKAGE=1106, PROVIDEFLAGS=1112,
    PROVIDEVERSION=1113, DIRINDEXES=1116, BASENAMES=1117, DIRNAMES=1118, PAYLOADFORMAT=1124,
    PAYLOADCOMPRESSOR=1125, PAYLOADFLAGS=1126, FILEDIGESTALGO=5011,
)
SENSE_LESS, SENSE_GREATER, SENSE_EQUAL = 2, 4, 8
SENSE_INTERP, SENSE_RPMLIB = 1 << 8, 1 << 24


def _strings(values):
    return b"".join(v.encode() + b"\0" for v in values)


def entry(tag, typ, value):
    """(tag, type, count, bytes) of one header entry."""
    if typ == STRING:
        return (tag, typ, 1, value.encode() + b"\0")
    if typ in (STRING_ARRAY, I18NSTRING):
        values = [value] if isinstance(value, str) else value
        return (tag, typ, len(values), _strings(values))
    if typ == INT32:
        values = [value] if isinstance(value, int) else value
        return (tag, typ, len(values), struct.pack(">%dI" % len(values), *values))
    if typ == INT16:
        return (tag, typ, len(value), struct.pack(">%dH" % len(value), *value))
    if typ == BIN:
        return (tag, typ, len(value), bytes(value))
    raise ValueError(typ)


def header_blob(entries, region_tag):
    """An RPM header structure with an immutable region over all of its entries, the way
    rpm writes one: region entry first, its trailer last in the data store."""
    entries = sorted(entries)
    store = bytearray()
    index = []
    for tag, typ, count, data in entries:
        store += b"\0" * ((-len(store)) % ALIGN.get(typ, 1))
        index.append(struct.pack(">IIiI", tag, typ, len(store), count))
        store += data
    il = len(entries) + 1
    trailer_at = len(store)
    store += struct.pack(">IIiI", region_tag, BIN, -il * 16, 16)
    index.insert(0, struct.pack(">IIiI", region_tag, BIN, trailer_at, 16))
    return b"\x8e\xad\xe8\x01\0\0\0\0" + struct.pack(">II", il, len(store)) + b"".join(index) + bytes(store)


def cpio_newc(paths, modes):
    out = bytearray()

    def member(name, mode, ino):
        namesize = len(name) + 1
        out.extend(b"070701" + b"".join(b"%08X" % v for v in (ino, mode, 0, 0, 1, BUILDTIME, 0, 0, 0, 0, 0, namesize, 0)))
        out.extend(name.encode() + b"\0")
        out.extend(b"\0" * ((-(110 + namesize)) % 4))

    for ino, (path, mode) in enumerate(zip(paths, modes), 1):
        member("." + path, mode, ino)
    member("TRAILER!!!", 0, 0)
    return bytes(out)


def rpm_bytes(pkg, signature_packet=None):
    """(lead+signature+header+payload without the optional RSA signature, header, payload,
    md5) of one package. `pkg`: dict with name, epoch, version, release, arch, files,
    provides, requires ([(name, flags, version)]), sourcerpm (None for a source RPM)."""
    files = sorted(pkg["files"])
    modes = [0o100755 if "/bin/" in f else 0o100644 for f in files]
    dirs, dirindex, basenames = [], [], []
    dir_ids = {}
    for f in files:
        d, b = f.rsplit("/", 1)
        d += "/"
        if d not in dir_ids:
            dir_ids[d] = len(dirs)
            dirs.append(d)
        dirindex.append(dir_ids[d])
        basenames.append(b)
    n = len(files)
    source = pkg["sourcerpm"] is None
    nevr = "%s-%s-%s" % (pkg["name"], pkg["version"], pkg["release"])
    provides = list(pkg["provides"])
    if not source:
        evr = ("%d:" % pkg["epoch"] if pkg["epoch"] else "") + "%s-%s" % (pkg["version"], pkg["release"])
        provides.append((pkg["name"], SENSE_EQUAL, evr))
        if pkg["arch"] != "noarch":
            provides.append(("%s(%s)" % (pkg["name"], "x86-64" if pkg["arch"] == "x86_64" else "x86-32"), SENSE_EQUAL, evr))
    requires = list(pkg["requires"]) + [
        ("rpmlib(CompressedFileNames)", SENSE_LESS | SENSE_EQUAL | SENSE_RPMLIB, "3.0.4-1"),
        ("rpmlib(PayloadFilesHavePrefix)", SENSE_LESS | SENSE_EQUAL | SENSE_RPMLIB, "4.0-1"),
    ]
    e = [
        entry(T["I18NTABLE"], STRING_ARRAY, ["C"]),
        entry(T["NAME"], STRING, pkg["name"]),
        entry(T["VERSION"], STRING, pkg["version"]),
        entry(T["RELEASE"], STRING, pkg["release"]),
        entry(T["SUMMARY"], I18NSTRING, "Synthetic package %s" % pkg["name"]),
        entry(T["DESCRIPTION"], I18NSTRING, "%s is a synthetic package of the ODCS scale fixture." % pkg["name"]),
        entry(T["BUILDTIME"], INT32, BUILDTIME),
        entry(T["BUILDHOST"], STRING, "scale-fixture.odcs.invalid"),
        entry(T["SIZE"], INT32, 0),
        entry(T["LICENSE"], STRING, "MIT"),
        entry(T["GROUP"], I18NSTRING, "Unspecified"),
        entry(T["URL"], STRING, "https://odcs.invalid/%s" % pkg["name"]),
        entry(T["OS"], STRING, "linux"),
        entry(T["ARCH"], STRING, "noarch" if source else pkg["arch"]),
        entry(T["REQUIRENAME"], STRING_ARRAY, [r[0] for r in requires]),
        entry(T["REQUIREFLAGS"], INT32, [r[1] for r in requires]),
        entry(T["REQUIREVERSION"], STRING_ARRAY, [r[2] for r in requires]),
        entry(T["RPMVERSION"], STRING, "4.18.2"),
        entry(T["PAYLOADFORMAT"], STRING, "cpio"),
        entry(T["PAYLOADCOMPRESSOR"], STRING, "gzip"),
        entry(T["PAYLOADFLAGS"], STRING, "1"),
        entry(T["FILEDIGESTALGO"], INT32, 8),
    ]
    if provides:  # rpm rejects an empty array
        e += [
            entry(T["PROVIDENAME"], STRING_ARRAY, [p[0] for p in provides]),
            entry(T["PROVIDEFLAGS"], INT32, [p[1] for p in provides]),
            entry(T["PROVIDEVERSION"], STRING_ARRAY, [p[2] for p in provides]),
        ]
    if pkg["epoch"]:
        e.append(entry(T["EPOCH"], INT32, pkg["epoch"]))
    if source:
        e.append(entry(T["SOURCEPACKAGE"], INT32, 1))
    else:
        e.append(entry(T["SOURCERPM"], STRING, pkg["sourcerpm"]))
    if n:
        e += [
            entry(T["FILESIZES"], INT32, [0] * n),
            entry(T["FILEMODES"], INT16, modes),
            entry(T["FILERDEVS"], INT16, [0] * n),
            entry(T["FILEMTIMES"], INT32, [BUILDTIME] * n),
            entry(T["FILEDIGESTS"], STRING_ARRAY, [EMPTY_SHA256] * n),
            entry(T["FILELINKTOS"], STRING_ARRAY, [""] * n),
            entry(T["FILEFLAGS"], INT32, [0] * n),
            entry(T["FILEVERIFYFLAGS"], INT32, [0xFFFFFFFF] * n),
            entry(T["FILEUSERNAME"], STRING_ARRAY, ["root"] * n),
            entry(T["FILEGROUPNAME"], STRING_ARRAY, ["root"] * n),
            entry(T["FILEDEVICES"], INT32, [1] * n),
            entry(T["FILEINODES"], INT32, list(range(1, n + 1))),
            entry(T["FILELANGS"], STRING_ARRAY, [""] * n),
            entry(T["DIRINDEXES"], INT32, dirindex),
            entry(T["BASENAMES"], STRING_ARRAY, basenames),
            entry(T["DIRNAMES"], STRING_ARRAY, dirs),
        ]
    header = header_blob(e, 63)
    archive = cpio_newc(files, modes)
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    payload = compressor.compress(archive) + compressor.flush()
    md5 = hashlib.md5(header + payload).digest()
    lead = struct.pack(
        ">4sBBhh66shh16s", b"\xed\xab\xee\xdb", 3, 0, 1 if source else 0, 1, nevr.encode()[:65], 1, 5, b"\0" * 16)

    def signature(packet):
        sig = [
            entry(269, STRING, hashlib.sha1(header).hexdigest()),
            entry(273, STRING, hashlib.sha256(header).hexdigest()),
            entry(1000, INT32, len(header) + len(payload)),
            entry(1004, BIN, md5),
            entry(1007, INT32, len(archive)),
        ]
        if packet is not None:
            sig.append(entry(268, BIN, packet))
        blob = header_blob(sig, 62)
        return blob + b"\0" * ((-len(blob)) % 8)

    return (lambda packet: lead + signature(packet) + header + payload), header, md5.hex()


# ---------------------------------------------------------------- the package set
def plan(builds, seed):
    """The builds of the tree: [(index, name, kind, subpackages, tool, conf)], with kind
    'arch' or 'noarch'; deterministic for (builds, seed)."""
    rng = random.Random(seed)
    out = []
    for b in range(builds):
        kind = "noarch" if b % 10 in (3, 6, 9) else "arch"
        subs = ["main"]
        if kind == "arch":
            if b == 0 or rng.random() < 0.6:
                subs.append("libs")
            if "libs" in subs and rng.random() < 0.8:
                subs.append("devel")
            if rng.random() < 0.1:
                subs.append("doc")  # a noarch subpackage of an arch build
        elif rng.random() < 0.3:
            subs.append("doc")
        tool = b < 50 or rng.random() < 0.4
        conf = rng.random() < 0.2
        out.append((b, "pk%05d" % b, kind, subs, tool, conf))
    return out


def earlier(rng, b):
    """A build before b, favouring the first ones (core libraries have the most users)."""
    return int(b * rng.random() ** 3)


def packages_of(build, tree, version, release, epoch, arch):
    """The binary packages of one build for one arch (noarch subpackages only once, for the
    arch 'noarch'), and the source package when arch is 'src'."""
    b, name, kind, subs, tool, conf = build
    rng = random.Random(b * 7919 + 1)
    evr = ("%d:" % epoch if epoch else "") + "%s-%s" % (version, release)
    srpm = "%s-%s-%s.src.rpm" % (name, version, release)
    base = dict(epoch=epoch, version=version, release=release)
    if arch == "src":
        files = ["/%s.spec" % name, "/%s-%s.tar.gz" % (name, version)]
        reqs = [("gcc", 0, "")] if kind == "arch" else [("python3-devel", 0, "")]
        return [dict(base, name=name, arch="src", files=files, provides=[], requires=reqs, sourcerpm=None)]
    lib64 = "/usr/lib64" if arch == "x86_64" else "/usr/lib"
    soname = "()(64bit)" if arch == "x86_64" else ""
    # Requirements of the main package: 1–12 earlier builds, by the kind of thing they offer.
    reqs = []
    if b > 0:
        fanout = min(12, 1 + int(rng.expovariate(1 / 3.0)))
        for _ in range(fanout):
            t = tree[earlier(rng, b)]
            tb, tname, tkind, tsubs, ttool, tconf = t
            pick = rng.random()
            if kind == "arch" and "libs" in tsubs and pick < 0.5:
                reqs.append(("lib%s.so.1%s" % (tname, soname), 0, ""))
            elif ttool and pick < 0.7:
                reqs.append(("/usr/bin/%s" % tname, 0, ""))
            elif tconf and pick < 0.75:
                reqs.append(("/etc/%s/%s.conf" % (tname, tname), 0, ""))  # a file dependency outside /usr/bin
            elif tkind == "noarch" and pick < 0.9:
                reqs.append(("python3dist(%s)" % tname, 0, ""))
            else:
                reqs.append((tname, SENSE_GREATER | SENSE_EQUAL, "1.0"))
        if kind == "arch":
            reqs.append(("libpk00000.so.1%s" % soname, 0, ""))
        reqs.append(("/bin/sh", SENSE_INTERP, ""))
    out = []
    for sub in subs:
        noarch = sub == "doc" or kind == "noarch"
        if noarch != (arch == "noarch"):
            continue
        sub_arch = arch
        pname = name if sub == "main" else "%s-%s" % (name, sub)
        provides, requires, files = [], [], []
        if sub == "main":
            requires = list(dict.fromkeys(reqs))
            if tool:
                files.append("/usr/bin/%s" % name)
            if conf:
                files.append("/etc/%s/%s.conf" % (name, name))
            if b == 0:
                files += ["/bin/sh", "/usr/bin/sh"]
            if kind == "noarch":
                provides.append(("python3dist(%s)" % name, SENSE_EQUAL, version))
                files += ["/usr/lib/python3.13/site-packages/%s/%s.py" % (name, m) for m in ("__init__", "core", "util")]
            # A few large packages, as a distribution has: most files live in filelists only.
            nfiles = 300 if rng.random() < 0.02 else rng.randint(2, 24)
            files += ["/usr/share/%s/data%03d" % (name, i) for i in range(nfiles)]
            files.append("/usr/share/doc/%s/README" % name)
            if "libs" in subs:
                requires.append(("%s-libs%s" % (name, "(x86-64)" if arch == "x86_64" else "(x86-32)"), SENSE_EQUAL, evr))
        elif sub == "libs":
            provides.append(("lib%s.so.1%s" % (name, soname), 0, ""))
            files += ["%s/lib%s.so.1" % (lib64, name), "%s/lib%s.so.1.0.0" % (lib64, name)]
            if b > 0:
                requires.append(("libpk00000.so.1%s" % soname, 0, ""))
        elif sub == "devel":
            provides.append(("pkgconfig(%s)" % name, SENSE_EQUAL, version))
            requires.append(("%s-libs%s" % (name, "(x86-64)" if arch == "x86_64" else "(x86-32)"), SENSE_EQUAL, evr))
            files += ["/usr/include/%s.h" % name, "%s/lib%s.so" % (lib64, name), "%s/pkgconfig/%s.pc" % (lib64, name)]
        elif sub == "doc":
            files += ["/usr/share/doc/%s/manual%02d.html" % (name, i) for i in range(rng.randint(3, 30))]
        out.append(dict(base, name=pname, arch=sub_arch, files=files, provides=provides, requires=requires, sourcerpm=srpm))
    return out


# ---------------------------------------------------------------- writing
GPG = None  # (home, key id) in workers that sign


def gpg_sign(header):
    home, _ = GPG
    r = subprocess.run(
        ["gpg", "--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--digest-algo", "sha256",
         "--detach-sign", "-o", "-"], input=header, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return r.stdout


def init_worker(gpg):
    global GPG
    GPG = gpg


def write_build(job):
    """Writes one build's RPMs (and signed copies); returns [(name, arch, size, md5)]."""
    build, tree, version, release, epoch, arches, topdir, sigkey = job
    name = build[1]
    bdir = os.path.join(topdir, "packages", name, version, release)
    rows = []
    for arch in ["src"] + arches + ["noarch"]:
        for pkg in packages_of(build, tree, version, release, epoch, arch):
            data, header, md5 = rpm_bytes(pkg)
            filename = "%s-%s-%s.%s.rpm" % (pkg["name"], version, release, pkg["arch"])
            adir = os.path.join(bdir, pkg["arch"])
            os.makedirs(adir, exist_ok=True)
            body = data(None)
            with open(os.path.join(adir, filename), "wb") as f:
                f.write(body)
            if sigkey:
                sdir = os.path.join(bdir, "data", "signed", sigkey, pkg["arch"])
                os.makedirs(sdir, exist_ok=True)
                with open(os.path.join(sdir, filename), "wb") as f:
                    f.write(data(gpg_sign(header)))
            rows.append((pkg["name"], pkg["arch"], len(body), md5))
    return rows


def make_key(home):
    os.makedirs(home, mode=0o700, exist_ok=True)
    uid = "ODCS Scale Fixture <scale@odcs.invalid>"
    env = dict(os.environ, GNUPGHOME=home)
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", uid, "rsa2048", "sign", "never"],
                   env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-keys"], env=env, check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
    key = next(line for line in listing.splitlines() if line.startswith("pub:")).split(":")[4]
    subprocess.run(["gpg", "--batch", "--armor", "--export", "-o", os.path.join(home, "..", "RPM-GPG-KEY-scale"), key],
                   env=env, check=True)
    return key[-8:].lower()


def generate(directory, builds, arches, sign_every, workers, fixture):
    topdir = os.path.join(directory, "koji")
    os.makedirs(topdir)
    sigkey = make_key(os.path.join(directory, "gnupg")) if sign_every else ""
    tree = plan(builds, seed=17)
    events = []

    def event():
        events.append({"id": len(events) + 1, "ts": BUILDTIME + (len(events) + 1) * 10.5})
        return len(events)

    event()
    data = {"events": events, "tags": [], "inheritance": [], "builds": [], "rpms": [], "listings": [],
            "signatures": [], "archives": []}
    for i, tag in enumerate(TAGS):
        data["tags"].append({"id": i + 1, "name": tag, "arches": " ".join(arches)})
        ev = event()
        if i:
            data["inheritance"].append({"child": i + 1, "parent": i, "priority": 0, "createEvent": ev})
    # Builds: every package in the base tag; 12 % rebuilt into the updates tag, 4 % of those
    # and of the rest again into the build tag (newer releases hide the inherited ones); the
    # last 3 % of packages exist only in the updates tag, the last 1 % only in the build tag.
    jobs = []
    for build in tree:
        b = build[0]
        rng = random.Random(b * 104729 + 3)
        epoch = 1 if rng.random() < 0.05 else None
        version = "%d.%d" % (1 + b % 5, rng.randint(0, 20))
        if b >= builds * 0.99:
            levels = [3]
        elif b >= builds * 0.96:
            levels = [2]
        else:
            levels = [1] + ([2] if rng.random() < 0.12 else []) + ([3] if rng.random() < 0.04 else [])
        for level in levels:
            release = "%d.%s" % (level, DIST)
            bid = len(data["builds"]) + 1
            signed = bool(sign_every) and bid % sign_every == 0
            data["builds"].append({"id": bid, "name": build[1], "version": version, "release": release,
                                   **({"epoch": epoch} if epoch else {})})
            jobs.append((bid, level, (build, tree, version, release, epoch, arches, topdir, sigkey if signed else "")))
    # Koji's order of events: every build imported, then tagged, one event each.
    for bid, level, _ in jobs:
        event()
        data["listings"].append({"tag": level, "build": bid, "createEvent": event()})
    started = time.time()
    with multiprocessing.Pool(workers, initializer=init_worker,
                              initargs=((os.path.join(directory, "gnupg"), sigkey),)) as pool:
        for n, ((bid, _, job), rows) in enumerate(zip(jobs, pool.imap(write_build, [j for _, _, j in jobs], chunksize=16))):
            for name, arch, size, md5 in rows:
                rid = len(data["rpms"]) + 1
                data["rpms"].append({"id": rid, "build": bid, "name": name, "arch": arch, "size": size, "payloadhash": md5})
                if job[7]:
                    data["signatures"].append({"rpm": rid, "sigkey": sigkey})
            if n % 2000 == 0:
                sys.stderr.write("[scale] %d/%d builds, %d RPMs, %.0f s\n" % (n, len(jobs), len(data["rpms"]), time.time() - started))
    if sigkey:
        subprocess.run(["gpgconf", "--homedir", os.path.join(directory, "gnupg"), "--kill", "gpg-agent"], check=False)
    saved = {"fixture": fixture, "sigkey": sigkey, "data": data}
    with open(os.path.join(directory, "fixture.json"), "w") as f:
        json.dump(saved, f, separators=(",", ":"))
    return saved


def latest_builds(data):
    """The build ids of `listTaggedRPMS(scale-build, inherit, latest)`: the child tag, then its
    parents, newest listing first, the first build of each package."""
    names = {b["id"]: b["name"] for b in data["builds"]}
    seen, latest = set(), []
    for level in range(len(TAGS), 0, -1):
        for listing in sorted((li for li in data["listings"] if li["tag"] == level), key=lambda li: -li["createEvent"]):
            if names[listing["build"]] not in seen:
                seen.add(names[listing["build"]])
                latest.append(listing["build"])
    return latest


def rpms_by_build(data):
    by_build = {}
    for r in data["rpms"]:
        by_build.setdefault(r["build"], []).append(r)
    return by_build


def latest_counts(saved):
    """Builds and RPMs per arch of `listTaggedRPMS(scale-build, inherit, latest)`."""
    data = saved["data"]
    by_build = rpms_by_build(data)
    latest = latest_builds(data)
    arches = {}
    for bid in latest:
        for r in by_build.get(bid, []):
            arches[r["arch"]] = arches.get(r["arch"], 0) + 1
    return len(latest), arches


def canon_arch(arch):
    """Koji's canonArch for the fixture's arches: a repository's directory names."""
    return "i386" if arch in ("i386", "i486", "i586", "i686", "athlon") else arch


def ensure_repo(directory, workers):
    """Koji's repository of the child tag, as Koji's newRepo writes it: at a new event, the
    tag's latest builds with inheritance, per canonical arch the RPMs of that arch plus noarch
    (no debuginfo, no SRPMs), listed through a `toplink` to the top dir, indexed by
    createrepo_c. Recorded in fixture.json (`repos`), so the hub's getRepo answers it. Written
    once per fixture; a fixture saved without it gets it on its next use."""
    saved_path = os.path.join(directory, "fixture.json")
    with open(saved_path) as f:
        saved = json.load(f)
    data = saved["data"]
    if data.get("repos"):
        return 0.0
    started = time.time()
    tag_id = len(TAGS)
    event = len(data["events"]) + 1
    data["events"].append({"id": event, "ts": BUILDTIME + event * 10.5})
    repo = {"id": 1, "tag": tag_id, "createEvent": event}
    builds = {b["id"]: b for b in data["builds"]}
    by_build = rpms_by_build(data)
    latest = latest_builds(data)
    arches = sorted({canon_arch(a) for a in data["tags"][tag_id - 1]["arches"].split()})
    for arch in arches:
        repodir = os.path.join(directory, "koji", "repos", TAGS[-1], str(repo["id"]), arch)
        if os.path.exists(repodir):
            shutil.rmtree(repodir)
        os.makedirs(repodir)
        os.symlink(os.path.join(directory, "koji"), os.path.join(repodir, "toplink"))
        lines = []
        for bid in latest:
            b = builds[bid]
            for r in by_build.get(bid, []):
                if r["arch"] == "src" or "-debuginfo" in r["name"] or r["name"].endswith("-debugsource"):
                    continue
                if r["arch"] != "noarch" and canon_arch(r["arch"]) != arch:
                    continue
                lines.append("toplink/packages/%s/%s/%s/%s/%s-%s-%s.%s.rpm" % (
                    b["name"], b["version"], b["release"], r["arch"], r["name"], b["version"], b["release"], r["arch"]))
        with open(os.path.join(repodir, "pkglist"), "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run(["createrepo_c", "--quiet", "--no-database", "--workers", str(workers), "--pkglist",
                        os.path.join(repodir, "pkglist"), repodir], check=True)
    data["repos"] = [repo]
    with open(saved_path + ".part", "w") as f:
        json.dump(saved, f, separators=(",", ":"))
    os.rename(saved_path + ".part", saved_path)
    seconds = time.time() - started
    sys.stderr.write("[scale] Koji repository %d of %s (%s) written in %.1f s\n" % (repo["id"], TAGS[-1], " ".join(arches), seconds))
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--builds", type=int, default=20000, help="packages (source builds) in the tree")
    parser.add_argument("--arches", default="x86_64,i686")
    parser.add_argument("--sign-every", type=int, default=50, help="every n-th build gets signed copies (0: none)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--root", default="/var/tmp/odcs-kojibench", help="the cache: fixtures are kept here")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--check", action="store_true", help="rpm -qp and createrepo_c over a sample, then exit")
    parser.add_argument("--print-dir", action="store_true", help="print the fixture directory on stdout")
    args = parser.parse_args()
    arches = args.arches.split(",")
    fixture = "scale:v%d:%d:%s:%d" % (GENERATOR_VERSION, args.builds, args.arches, args.sign_every)
    directory = os.path.join(args.root, fixture.replace(":", "-").replace(",", "-"))
    saved_path = os.path.join(directory, "fixture.json")
    if args.rebuild or not os.path.exists(saved_path):
        if os.path.exists(directory):
            shutil.rmtree(directory)
        partial = directory + ".part"
        if os.path.exists(partial):
            shutil.rmtree(partial)
        started = time.time()
        saved = generate(partial, args.builds, arches, args.sign_every, args.workers, fixture)
        os.rename(partial, directory)
        builds, per_arch = latest_counts(saved)
        sys.stderr.write("[scale] wrote %s in %.1f s: %d builds, %d RPM files (%d signed); latest in %s: %d builds, %s\n" % (
            directory, time.time() - started, len(saved["data"]["builds"]), len(saved["data"]["rpms"]),
            len(saved["data"]["signatures"]), TAGS[-1], builds, json.dumps(per_arch, sort_keys=True)))
    else:
        sys.stderr.write("[scale] reusing %s\n" % directory)
    ensure_repo(directory, args.workers)
    if args.print_dir:
        print(directory)
        print(fixture)
    if args.check:
        check(directory)


def check(directory):
    """rpm -qp and rpm -K on a sample, createrepo_c over one build tree: the files are RPMs."""
    topdir = os.path.join(directory, "koji", "packages")
    sample = []
    for name in sorted(os.listdir(topdir))[:40:7]:
        for root, _, files in os.walk(os.path.join(topdir, name)):
            sample += [os.path.join(root, f) for f in files if f.endswith(".rpm")]
    subprocess.run(["rpm", "-qp", "--qf", "%{NEVRA} %{SOURCERPM} %{SIGPGP:pgpsig} %{SIGMD5}\\n"] + sample, check=True)
    subprocess.run(["rpm", "-qpR", sample[0]], check=True)
    subprocess.run(["rpm", "-K", "--nosignature"] + sample, check=True)
    print("rpm -qp, rpm -K: %d files OK" % len(sample))


if __name__ == "__main__":
    main()
