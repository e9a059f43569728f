using System.Text;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Drivers.Nvdimm;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Erofs.Support;

/// <summary>
/// The QEMU machine Debian's kernels were observed on (a 1 GiB fsdax namespace at 4 GiB, first data
/// pfn 0x100200) with the shipped EROFS plugin, loaded as daxholder loads it: mkfs.erofs builds the
/// image from <c>files</c> with <c>mkfs</c> options, then it is mounted with <c>mount</c> options.
/// </summary>
internal sealed class ErofsMachine : IDisposable
{
    public ErofsMachine(IReadOnlyList<SourceFile> files, string profile = "6.12", string mkfs = "", string mount = "dax=always")
    {
        Machine = Machine.Boot(TestMachine.Profile(profile));
        Pmem = Machine.Nvdimm.AddFsdaxNamespace(TestMachine.PhysicalBase, new ByteLength(1UL << 30), new ByteLength(PageGeometry.PmdSize), MemmapLocation.Ram);
        Image = Type.Type.Mkfs(new MkfsRequest(Pmem.Disk, FsOptions.Parse(mkfs)) { Files = files }).Value;
        Mount = Machine.Vfs.Mount(Type, Image, Pmem.Disk, FsOptions.Parse(mount)).Value;
    }

    /// <summary>The shipped plugin's "erofs" type.</summary>
    public static FileSystemTypeEntry Type => ShippedPlugins.Type("erofs", "Erofs");

    public Machine Machine { get; }

    public PmemDevice Pmem { get; }

    public IFileSystemImage Image { get; }

    public Mount Mount { get; private set; }

    public IMountedFileSystem Fs => Mount.FileSystem;

    public IFileOperations Files => Fs.Files;

    public IReadOnlyList<string> LogLines => [.. Machine.Kernel.Log.Lines.Select(l => l.Text)];

    /// <summary>A file of <paramref name="size"/> bytes of one pattern.</summary>
    public static SourceFile File(string path, ulong size, string pattern) => new(path, new ByteLength(size), FileContent.Of([new ContentSegment(new ByteLength(size), pattern)]));

    /// <summary>A file whose content is its own.</summary>
    public static SourceFile Unique(string path, ulong size) => new(path, new ByteLength(size), FileContent.UniqueTo(path, new ByteLength(size)));

    public void CycleMount(string options = "dax=always")
    {
        Machine.Vfs.Unmount(Mount).ShouldBe(Errno.Ok);
        Mount = Machine.Vfs.Mount(Type, Image, Pmem.Disk, FsOptions.Parse(options)).Value;
    }

    public TaskStruct Spawn(int pid, string comm) => Machine.Tasks.Spawn(pid, comm);

    /// <summary>mmap(PROT_READ, MAP_SHARED) of <paramref name="pages"/> pages of a file, without huge pages.</summary>
    public VmArea MapShared(TaskStruct task, string path, ulong pages)
    {
        var file = Vfs.Open(Mount, path).Value;
        var vma = Mmap.DoMmap(task.Group.Mm!, file, new PageIndex(0), new ByteLength(pages * PageGeometry.PageSize), VmFlags.Read | VmFlags.Shared | VmFlags.NoHugePage, null).Value;
        Vfs.Close(file);
        return vma;
    }

    public void Touch(TaskStruct task, VmArea vma, ulong page = 0) =>
        Machine.Fault.UserAccess(task, vma.Start.Add(page * PageGeometry.PageSize), write: false);

    /// <summary>The device extent of a file's page (by iomap), or of a named piece of metadata.</summary>
    public DeviceExtent ExtentOf(string path, ulong page)
    {
        var map = Fs.Iomap.IomapBegin(Files.Lookup(path).Value, new FileOffset(page * PageGeometry.PageSize), ByteLength.Page, IomapRequest.Report).Value.Map;
        return new DeviceExtent(map.Address!.Value.Add(new ByteLength((page * PageGeometry.PageSize) - map.Offset.Value)), ByteLength.Page);
    }

    public DeviceExtent Metadata(string name) => Fs.ReverseMap.LocateMetadata(name).Value;

    public Pfn PfnAt(DeviceExtent extent) => Pmem.PfnOf(extent.Start);

    /// <summary>
    /// The owners of the 4 KiB page holding a device offset, by the plugin's rmap: the explain view
    /// of a device offset or pfn.
    /// </summary>
    public string Explain(DeviceOffset offset)
    {
        var page = offset.AlignDownToPage();
        var text = new StringBuilder().Append(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pfn {Pmem.PfnOf(page)} (device offset {page}):"));
        var records = Fs.ReverseMap.Query(new DeviceExtent(page, ByteLength.Page));
        if (records.Count == 0)
        {
            return text.Append(" free").ToString();
        }

        foreach (var r in records)
        {
            var owner = r.Owner.Inode is { } ino ? $"inode {ino} offset {r.FileOffset}" : $"metadata {r.Owner.Metadata}";
            text.Append(" | ").Append(r.Extent).Append(' ').Append(owner);
        }

        return text.ToString();
    }

    public (IReadOnlyList<Decision> Decisions, IReadOnlyList<string> Log) Record(Action action) => Machine.Record(action);

    public void Dispose() => Machine.Dispose();
}
