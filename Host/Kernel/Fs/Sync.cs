using DaxHolder.Abstractions;
using DaxHolder.Kernel.Mm;

namespace DaxHolder.Kernel.Fs;

/// <summary>What a writeback found: dirty page-cache pages and dirty DAX entries made clean.</summary>
internal readonly record struct WritebackCount(int Pages, int DaxEntries)
{
    public static WritebackCount operator +(WritebackCount a, WritebackCount b) => new(a.Pages + b.Pages, a.DaxEntries + b.DaxEntries);

    public override string ToString() =>
        Pages == 0 && DaxEntries == 0 ? "nothing dirty"
        : string.Join(", ", new[] { Pages > 0 ? $"{Pages} dirty page{(Pages == 1 ? "" : "s")}" : null, DaxEntries > 0 ? $"{DaxEntries} dirty DAX entr{(DaxEntries == 1 ? "y" : "ies")}" : null }.Where(s => s is not null)) + " written back";
}

/// <summary>
/// fs/sync.c: fsync(2) and sync(2). Writeback of a DAX file is dax_writeback_mapping_range()
/// (fs/dax.c): each dirty entry's cache lines are flushed and the entry is clean (the PTEs it
/// write-protects, dax_entry_mkclean(), are not modelled: a later store does not fault again);
/// of a page-cache file, its dirty pages are written and clean.
/// </summary>
internal sealed class Sync(Filemap filemap, Vfs vfs)
{
    /// <summary>
    /// vfs_fsync_range(): file_write_and_wait_range() (the writeback), the filesystem's -&gt;fsync
    /// (its log or journal), then file_check_and_advance_wb_err(): -EIO once for each open file
    /// that has not yet heard of a writeback error on the mapping (a dirty page lost to memory failure).
    /// </summary>
    public (Errno Result, WritebackCount Written) Fsync(Mount mount, OpenFile file)
    {
        ArgumentNullException.ThrowIfNull(mount);
        ArgumentNullException.ThrowIfNull(file);
        var written = WriteBack(file.Mapping);
        var rc = file.Inode is { } inode ? mount.FileSystem.Files.Fsync(inode.Number) : Errno.Ok;
        var sample = file.WbErrSample;
        var wbErr = file.Mapping.WbErr.CheckAndAdvance(ref sample);
        file.WbErrSample = sample;
        return (rc != Errno.Ok ? rc : wbErr ? Errno.EIO : Errno.Ok, written);
    }

    /// <summary>ksys_sync(): every mount's in-core inodes are written back; sync(2) returns nothing, so errors stay for fsync.</summary>
    public WritebackCount SyncAll()
    {
        var total = default(WritebackCount);
        foreach (var mount in vfs.Mounts)
        {
            foreach (var inode in mount.FileSystem.Inodes.InCore)
            {
                if (inode.Mapping is AddressSpace mapping)
                {
                    total += WriteBack(mapping);
                }
            }
        }

        return total;
    }

    /// <summary>do_writepages(): a DAX mapping's dirty entries (dax_writeback_mapping_range), else its dirty page-cache pages.</summary>
    private WritebackCount WriteBack(AddressSpace mapping)
    {
        if (!mapping.IsDax)
        {
            return new WritebackCount(filemap.WriteBack(mapping), 0);
        }

        var entries = 0;
        foreach (var entry in mapping.Entries.All.Where(e => e.Dirty))
        {
            entry.Dirty = false;
            entries++;
        }

        return new WritebackCount(0, entries);
    }
}
