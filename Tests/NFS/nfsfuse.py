#!/usr/bin/python3
"""A userspace NFSv3 client mounted through FUSE: libnfs (Debian's libnfs13, through ctypes)
speaks NFS to the server, fusepy (Debian's python3-fusepy, on libfuse2) gives the kernel a
filesystem. Each running copy is one independent NFS client: its own TCP connection, its own
caches. Used by Tests/NFS/harness.py (docs/nfs-harness.md); run it with Debian's
/usr/bin/python3, where python3-fusepy lives.

    /usr/bin/python3 Tests/NFS/nfsfuse.py SERVER EXPORT MOUNTPOINT [--attr-timeout S]
        [--entry-timeout S] [--negative-timeout S]

It stays in the foreground until unmounted (fusermount -u / umount).

What it caches, and what it does not (the kernel's NFS client does more; see the doc):
- attributes and name lookups, in the kernel's FUSE layer: attr_timeout and entry_timeout
  (default 3 s, like the kernel NFS client's acregmin), and "not found" for negative_timeout
  (default 3 s; the kernel NFS client's negative lookup cache follows acdirmin..acdirmax);
- file pages, in the kernel's page cache, kept only while a file is open (no kernel_cache: each
  open drops the pages, which is close-to-open consistency as the kernel NFS client does it);
- nothing in libnfs itself (no readahead, no page cache: both are off by default).
An unlinked file that is still open here is renamed to .fuse_hidden* by libfuse and removed on
its last close (libfuse's equivalent of the kernel NFS client's .nfs* silly rename), so a
directory holding one cannot be removed through this client (ENOTEMPTY), as on NFS.

One libnfs context serves every request, behind a lock: libnfs's synchronous calls are not
thread-safe on one context. This serialises the client's requests (a real client pipelines
them); it is slower, not less correct.
"""

import argparse
import ctypes
import ctypes.util
import errno
import os
import stat
import threading
import time

from fusepy import FUSE, FuseOSError, Operations

libnfs = ctypes.CDLL(ctypes.util.find_library("nfs") or "libnfs.so.13", use_errno=True)


class NfsStat64(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_uint64)
        for name in (
            "dev", "ino", "mode", "nlink", "uid", "gid", "rdev", "size", "blksize", "blocks",
            "atime", "mtime", "ctime", "atime_nsec", "mtime_nsec", "ctime_nsec", "used",
        )
    ]


class NfsStatvfs64(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_uint64)
        for name in ("bsize", "frsize", "blocks", "bfree", "bavail", "files", "ffree", "favail", "fsid", "flag", "namemax")
    ]


class Timeval(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("usec", ctypes.c_long)]


class NfsDirent(ctypes.Structure):
    pass


NfsDirent._fields_ = [("next", ctypes.POINTER(NfsDirent)), ("name", ctypes.c_char_p), ("inode", ctypes.c_uint64)]

P = ctypes.c_void_p
S = ctypes.c_char_p
I = ctypes.c_int
U64 = ctypes.c_uint64
PP = ctypes.POINTER(ctypes.c_void_p)
for name, args, result in (
    ("nfs_init_context", [], P),
    ("nfs_destroy_context", [P], None),
    ("nfs_get_error", [P], S),
    ("nfs_set_version", [P, I], I),
    ("nfs_set_autoreconnect", [P, I], None),
    ("nfs_mount", [P, S, S], I),
    ("nfs_lstat64", [P, S, ctypes.POINTER(NfsStat64)], I),
    ("nfs_fstat64", [P, P, ctypes.POINTER(NfsStat64)], I),
    ("nfs_open", [P, S, I, PP], I),
    ("nfs_create", [P, S, I, I, PP], I),
    ("nfs_close", [P, P], I),
    ("nfs_pread", [P, P, U64, U64, ctypes.c_char_p], I),
    ("nfs_pwrite", [P, P, U64, U64, ctypes.c_char_p], I),
    ("nfs_fsync", [P, P], I),
    ("nfs_truncate", [P, S, U64], I),
    ("nfs_ftruncate", [P, P, U64], I),
    ("nfs_mkdir2", [P, S, I], I),
    ("nfs_rmdir", [P, S], I),
    ("nfs_unlink", [P, S], I),
    ("nfs_rename", [P, S, S], I),
    ("nfs_link", [P, S, S], I),
    ("nfs_symlink", [P, S, S], I),
    ("nfs_readlink", [P, S, ctypes.c_char_p, I], I),
    ("nfs_chmod", [P, S, I], I),
    ("nfs_lchown", [P, S, I, I], I),
    ("nfs_lutimes", [P, S, ctypes.POINTER(Timeval)], I),
    ("nfs_statvfs64", [P, S, ctypes.POINTER(NfsStatvfs64)], I),
    ("nfs_opendir", [P, S, PP], I),
    ("nfs_readdir", [P, P], ctypes.POINTER(NfsDirent)),
    ("nfs_closedir", [P, P], None),
):
    function = getattr(libnfs, name)
    function.argtypes = args
    function.restype = result

# The open flags NFS has a meaning for; the rest (O_CLOEXEC, O_NOFOLLOW, O_LARGEFILE...) are the
# kernel's business.
OPEN_FLAGS = os.O_ACCMODE | os.O_APPEND | os.O_TRUNC | os.O_SYNC | os.O_CREAT | os.O_EXCL


class NfsClient(Operations):
    use_ns = True

    def __init__(self, server, export):
        self.mutex = threading.Lock()
        self.nfs = libnfs.nfs_init_context()
        if not self.nfs:
            raise SystemExit("nfs_init_context failed")
        libnfs.nfs_set_version(self.nfs, 3)
        libnfs.nfs_set_autoreconnect(self.nfs, -1)
        result = libnfs.nfs_mount(self.nfs, server.encode(), export.encode())
        if result != 0:
            raise SystemExit("cannot mount %s:%s: %s" % (server, export, libnfs.nfs_get_error(self.nfs).decode()))
        self.handles = {}
        self.next_handle = 1

    def call(self, name, *args):
        with self.mutex:
            result = getattr(libnfs, name)(self.nfs, *args)
        if result < 0:
            raise FuseOSError(-result)
        return result

    def handle(self, fi):
        try:
            return self.handles[fi.fh]
        except KeyError:
            raise FuseOSError(errno.EBADF)

    def remember(self, fi, nfsfh):
        with self.mutex:
            number = self.next_handle
            self.next_handle += 1
            self.handles[number] = nfsfh
        fi.fh = number
        return 0

    @staticmethod
    def attributes(st):
        return {
            "st_mode": st.mode, "st_ino": st.ino, "st_nlink": st.nlink, "st_uid": st.uid, "st_gid": st.gid,
            "st_rdev": st.rdev, "st_size": st.size, "st_blocks": st.blocks, "st_blksize": st.blksize,
            "st_atime": st.atime * 10**9 + st.atime_nsec, "st_mtime": st.mtime * 10**9 + st.mtime_nsec,
            "st_ctime": st.ctime * 10**9 + st.ctime_nsec,
        }

    def getattr(self, path, fh=None):
        st = NfsStat64()
        if fh is not None and getattr(fh, "fh", 0) in self.handles:
            self.call("nfs_fstat64", self.handles[fh.fh], ctypes.byref(st))
        else:
            self.call("nfs_lstat64", path.encode(), ctypes.byref(st))
        return self.attributes(st)

    def access(self, path, amode):
        return 0

    def readdir(self, path, fh):
        directory = ctypes.c_void_p()
        self.call("nfs_opendir", path.encode(), ctypes.byref(directory))
        names = []
        with self.mutex:
            while True:
                entry = libnfs.nfs_readdir(self.nfs, directory)
                if not entry:
                    break
                names.append(entry.contents.name.decode("utf-8", "surrogateescape"))
            libnfs.nfs_closedir(self.nfs, directory)
        return names

    def open(self, path, fi):
        nfsfh = ctypes.c_void_p()
        self.call("nfs_open", path.encode(), fi.flags & OPEN_FLAGS, ctypes.byref(nfsfh))
        return self.remember(fi, nfsfh)

    def create(self, path, mode, fi):
        nfsfh = ctypes.c_void_p()
        self.call("nfs_create", path.encode(), (fi.flags & OPEN_FLAGS) | os.O_CREAT, stat.S_IMODE(mode), ctypes.byref(nfsfh))
        return self.remember(fi, nfsfh)

    def data_call(self, name, nfsfh, *args):
        """nfs_pread/nfs_pwrite. libnfs 4.0's synchronous read and write lose the server's
        status (any failure comes back as -EFAULT), so a failure asks the server for the file's
        attributes through the same handle and reports that error (ESTALE for a file removed
        through another client), or EIO when the handle is still good."""
        with self.mutex:
            result = getattr(libnfs, name)(self.nfs, nfsfh, *args)
            if result >= 0:
                return result
            status = libnfs.nfs_fstat64(self.nfs, nfsfh, ctypes.byref(NfsStat64()))
        raise FuseOSError(-status if status < 0 else errno.EIO)

    def read(self, path, size, offset, fi):
        buffer = ctypes.create_string_buffer(size)
        count = self.data_call("nfs_pread", self.handle(fi), offset, size, buffer)
        return buffer.raw[:count]

    def write(self, path, data, offset, fi):
        return self.data_call("nfs_pwrite", self.handle(fi), offset, len(data), data)

    def fsync(self, path, datasync, fi):
        return self.call("nfs_fsync", self.handle(fi))

    def flush(self, path, fi):
        return 0

    def release(self, path, fi):
        with self.mutex:
            nfsfh = self.handles.pop(fi.fh, None)
        if nfsfh is not None:
            self.call("nfs_close", nfsfh)
        return 0

    def truncate(self, path, length, fh=None):
        if fh is not None and getattr(fh, "fh", 0) in self.handles:
            return self.call("nfs_ftruncate", self.handles[fh.fh], length)
        return self.call("nfs_truncate", path.encode(), length)

    def mkdir(self, path, mode):
        return self.call("nfs_mkdir2", path.encode(), stat.S_IMODE(mode))

    def rmdir(self, path):
        return self.call("nfs_rmdir", path.encode())

    def unlink(self, path):
        return self.call("nfs_unlink", path.encode())

    def rename(self, old, new):
        return self.call("nfs_rename", old.encode(), new.encode())

    def link(self, target, source):
        return self.call("nfs_link", source.encode(), target.encode())

    def symlink(self, target, source):
        return self.call("nfs_symlink", source.encode(), target.encode())

    def readlink(self, path):
        buffer = ctypes.create_string_buffer(4096)
        self.call("nfs_readlink", path.encode(), buffer, len(buffer))
        return buffer.value.decode("utf-8", "surrogateescape")

    def chmod(self, path, mode):
        return self.call("nfs_chmod", path.encode(), stat.S_IMODE(mode))

    def chown(self, path, uid, gid):
        if uid == -1 or gid == -1:
            current = self.getattr(path)
            uid = current["st_uid"] if uid == -1 else uid
            gid = current["st_gid"] if gid == -1 else gid
        return self.call("nfs_lchown", path.encode(), uid, gid)

    def utimens(self, path, times=None):
        if times is None:
            times = (time.time_ns(),) * 2
        values = (Timeval * 2)(*(Timeval(t // 10**9, (t % 10**9) // 1000) for t in times))
        return self.call("nfs_lutimes", path.encode(), values)

    def statfs(self, path):
        st = NfsStatvfs64()
        self.call("nfs_statvfs64", path.encode(), ctypes.byref(st))
        return {
            "f_bsize": st.bsize, "f_frsize": st.frsize, "f_blocks": st.blocks, "f_bfree": st.bfree,
            "f_bavail": st.bavail, "f_files": st.files, "f_ffree": st.ffree, "f_favail": st.favail,
            "f_namemax": st.namemax or 255,
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("server")
    parser.add_argument("export")
    parser.add_argument("mountpoint")
    parser.add_argument("--attr-timeout", type=float, default=3.0)
    parser.add_argument("--entry-timeout", type=float, default=3.0)
    parser.add_argument("--negative-timeout", type=float, default=3.0)
    arguments = parser.parse_args()
    client = NfsClient(arguments.server, arguments.export)
    FUSE(
        client,
        arguments.mountpoint,
        raw_fi=True,
        foreground=True,
        allow_other=True,
        use_ino=True,
        fsname="nfs:%s:%s" % (arguments.server, arguments.export),
        subtype="odcsnfs",
        attr_timeout=arguments.attr_timeout,
        entry_timeout=arguments.entry_timeout,
        negative_timeout=arguments.negative_timeout,
    )


if __name__ == "__main__":
    main()
