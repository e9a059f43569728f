using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Kernel.Fs;

/// <summary>
/// include/linux/fs.h: struct file, reduced to what mmap and faults need: the mapping, the inode
/// (held referenced while open, so a mapped file stays in core for fs/xfs/xfs_notify_failure.c:
/// xfs_dax_failure_fn()), the filesystem's iomap operations, and the file's name for reports. A
/// device-DAX file has no filesystem inode.
/// </summary>
internal sealed class OpenFile
{
    private readonly Func<ByteLength> size;

    internal OpenFile(string path, AddressSpace mapping, IInode? inode, IIomapOps? iomap, Func<ByteLength> size, Action release)
    {
        Path = path;
        Mapping = mapping;
        Inode = inode;
        Iomap = iomap;
        this.size = size;
        Release = release;
    }

    public string Path { get; }

    public AddressSpace Mapping { get; }

    public IInode? Inode { get; }

    public IIomapOps? Iomap { get; }

    /// <summary>i_size_read(inode).</summary>
    public ByteLength Size => size();

    /// <summary>The device-DAX device this file is, when it is /dev/daxX.Y.</summary>
    public Drivers.Dax.DeviceDax? DeviceDax { get; init; }

    /// <summary>f_wb_err: the mapping's writeback-error sequence as this open file last saw it (sampled at open).</summary>
    internal ulong WbErrSample;

    /// <summary>fput: drops the inode reference taken at open.</summary>
    internal Action Release { get; }

    /// <summary>Open references: one per VMA plus the opener's (closed after mmap).</summary>
    internal int References { get; set; }

    public override string ToString() => Path;
}
