using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Drivers.Nvdimm;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Units;
using DaxHolder.Tests.Kernel.Support;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Ext4.Support;

/// <summary>
/// The QEMU machine Debian's kernels were observed on (a 1 GiB fsdax namespace at 4 GiB, 2 MiB info
/// block, first data pfn 0x100200) with the shipped ext4 plugin, loaded from plugins/Ext4 as
/// daxholder loads it, made with <c>mkfs</c> options and mounted with <c>mount</c> options.
/// </summary>
internal sealed class Ext4Machine : IDisposable
{
    public Ext4Machine(string profile = "6.12", string mkfs = "", string mount = "dax")
    {
        Machine = Machine.Boot(TestMachine.Profile(profile));
        Pmem = Machine.Nvdimm.AddFsdaxNamespace(TestMachine.PhysicalBase, new ByteLength(1UL << 30), new ByteLength(PageGeometry.PmdSize), MemmapLocation.Ram);
        Image = Vfs.Mkfs(Type, Pmem.Disk, FsOptions.Parse(mkfs)).Value;
        Mount = Machine.Vfs.Mount(Type, Image, Pmem.Disk, FsOptions.Parse(mount)).Value;
    }

    /// <summary>The shipped plugin's "ext4" type.</summary>
    public static FileSystemTypeEntry Type => ShippedPlugins.Type("ext4", "Ext4");

    public Machine Machine { get; }

    public PmemDevice Pmem { get; }

    public IFileSystemImage Image { get; }

    public Mount Mount { get; private set; }

    public IMountedFileSystem Fs => Mount.FileSystem;

    public IFileOperations Files => Fs.Files;

    public KernelContext Kernel => Machine.Kernel;

    /// <summary>The kernel log lines so far.</summary>
    public IReadOnlyList<string> LogLines => [.. Kernel.Log.Lines.Select(l => l.Text)];

    /// <summary>umount then mount again with <paramref name="options"/>: the inode cache starts empty.</summary>
    public void CycleMount(string options = "dax")
    {
        Machine.Vfs.Unmount(Mount).ShouldBe(Errno.Ok);
        Mount = Machine.Vfs.Mount(Type, Image, Pmem.Disk, FsOptions.Parse(options)).Value;
    }

    /// <summary>A file of <paramref name="pages"/> pages, fallocated (unwritten) and, when <paramref name="written"/>, written through.</summary>
    public InodeNumber CreateFile(string path, ulong pages, bool written = true)
    {
        var ino = Files.Create(path, FileCreateOptions.Default).Value;
        var length = new ByteLength(pages * PageGeometry.PageSize);
        Files.Fallocate(ino, FallocateMode.Allocate, FileOffset.Zero, length).ShouldBe(Errno.Ok);
        if (written)
        {
            Files.Write(ino, FileOffset.Zero, length).Value.ShouldBe(length);
        }

        return ino;
    }

    public TaskStruct Spawn(int pid, string comm) => Machine.Tasks.Spawn(pid, comm);

    /// <summary>mmap(MAP_SHARED) of <paramref name="pages"/> pages of a file.</summary>
    public VmArea MapShared(TaskStruct task, string path, ulong pages, bool huge = true, UserAddress? at = null)
    {
        var file = Vfs.Open(Mount, path).Value;
        var flags = VmFlags.Read | VmFlags.Write | VmFlags.Shared | (huge ? VmFlags.None : VmFlags.NoHugePage);
        var vma = Mmap.DoMmap(task.Group.Mm!, file, new PageIndex(0), new ByteLength(pages * PageGeometry.PageSize), flags, at).Value;
        Vfs.Close(file);
        return vma;
    }

    public void Touch(TaskStruct task, VmArea vma, ulong page = 0, bool write = false) =>
        Machine.Fault.UserAccess(task, vma.Start.Add(page * PageGeometry.PageSize), write);

    public Errno Madvise(TaskStruct task, VmArea vma, ulong page = 0) =>
        Machine.Madvise.HwPoison(task, TestMachine.AddressOf(vma, page), ByteLength.Page);

    /// <summary>The pmem pfn of a disk offset.</summary>
    public Pfn PfnAt(DeviceExtent extent) => Pmem.PfnOf(extent.Start);

    /// <summary>The pfn backing page <paramref name="page"/> of a file, by iomap.</summary>
    public Pfn PfnOf(string path, ulong page)
    {
        var map = Fs.Iomap.IomapBegin(Files.Lookup(path).Value, new FileOffset(page * PageGeometry.PageSize), ByteLength.Page, IomapRequest.Report).Value.Map;
        map.Type.ShouldBe(IomapType.Mapped, $"{path} page {page} should be written");
        return Pmem.PfnOf(map.Address!.Value.Add(new ByteLength((page * PageGeometry.PageSize) - map.Offset.Value)));
    }

    /// <summary>A named piece of ext4 metadata (LocateMetadata).</summary>
    public DeviceExtent Metadata(string name) => Fs.ReverseMap.LocateMetadata(name).Value;

    /// <summary>The decisions and log lines of one action.</summary>
    public (IReadOnlyList<Decision> Decisions, IReadOnlyList<string> Log) Record(Action action) => Machine.Record(action);

    public void Dispose() => Machine.Dispose();
}
