using DaxHolder.Abstractions;
using DaxHolder.Kernel.Drivers.Dax;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Drivers.Nvdimm;

/// <summary>
/// drivers/nvdimm/pmem.c: struct pmem_device of an fsdax-mode namespace. The namespace resource
/// starts at PhysicalBase; the first DataOffset bytes are the pfn info block and struct-page
/// reservation; the disk (and its dax_device) start after them. pfns translate to disk offsets
/// by pmem_pagemap_memory_failure()'s arithmetic, which wraps for info-area pfns.
/// </summary>
internal sealed class PmemDevice : IPagemapOps
{
    private readonly KernelContext kernel;
    private readonly PageSet mediaErrors = new();
    private readonly List<BlockDevice> partitions = [];

    internal PmemDevice(KernelContext kernel, string name, ulong physicalBase, ByteLength namespaceSize, ByteLength dataOffset, MemmapLocation memmap)
    {
        if ((physicalBase & (PageGeometry.PmdSize - 1)) != 0 || !namespaceSize.IsPageAligned || !dataOffset.IsPageAligned || dataOffset >= namespaceSize)
        {
            throw new ArgumentException($"{name}: the namespace base must be 2 MiB aligned, and its size and data offset page aligned with the data offset inside it");
        }

        this.kernel = kernel;
        Name = name;
        PhysicalBase = physicalBase;
        NamespaceSize = namespaceSize;
        DataOffset = dataOffset;
        Memmap = memmap;
        Disk = new BlockDevice(this, name, DeviceOffset.Zero, namespaceSize - dataOffset, isPartition: false);
        DaxDevice = new DaxDevice(kernel, name, this);
        var altmap = memmap == MemmapLocation.Device ? dataOffset.ToPagesRoundedDown().Value : 0;
        Pagemap = new DevPagemap(kernel, name, MemoryType.FsDax, Pfn.FromPhysicalAddress(physicalBase), namespaceSize.ToPagesRoundedDown().Value, altmap, this);
    }

    public string Name { get; }

    /// <summary>pmem->phys_addr: the start of the namespace resource.</summary>
    public ulong PhysicalBase { get; }

    public ByteLength NamespaceSize { get; }

    /// <summary>pmem->data_offset: the pfn info block's dataoff.</summary>
    public ByteLength DataOffset { get; }

    public MemmapLocation Memmap { get; }

    /// <summary>The whole disk (pmem0).</summary>
    public BlockDevice Disk { get; }

    public IReadOnlyList<BlockDevice> Partitions => partitions;

    public DaxDevice DaxDevice { get; }

    public DevPagemap Pagemap { get; }

    /// <summary>pmem->bb.</summary>
    public Badblocks Badblocks { get; } = new();

    /// <summary>del_gendisk ran.</summary>
    public bool Deleted { get; private set; }

    /// <summary>The first pfn of the disk (device offset 0).</summary>
    public Pfn FirstDataPfn => Pfn.FromPhysicalAddress(PhysicalBase + DataOffset.Value);

    /// <summary>Adds partition N (pmem0pN) at a byte offset of the disk.</summary>
    public BlockDevice AddPartition(DeviceOffset start, ByteLength size)
    {
        if (start.Value + size.Value > Disk.Size.Value || size.Value == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), $"{Name}: partition {start}+{size} does not fit the {Disk.Size}-byte disk");
        }

        if (partitions.Any(p => p.Start.Value < start.Value + size.Value && start.Value < p.Start.Value + p.Size.Value))
        {
            throw new ArgumentException($"{Name}: partition at {start} overlaps another");
        }

        var partition = new BlockDevice(this, $"{Name}p{partitions.Count + 1}", start, size, isPartition: true);
        partitions.Add(partition);
        return partition;
    }

    /// <summary>The pfn backing disk offset <paramref name="offset"/>.</summary>
    public Pfn PfnOf(DeviceOffset offset) => Pfn.FromPhysicalAddress(PhysicalBase + DataOffset.Value + offset.Value);

    /// <summary>
    /// The disk offset of a pfn as pmem_pagemap_memory_failure computes it:
    /// PFN_PHYS(pfn) - phys_addr - data_offset, in u64 arithmetic (it wraps for info-area pfns).
    /// </summary>
    public DeviceOffset OffsetOf(Pfn pfn) => new(unchecked(pfn.PhysicalAddress - PhysicalBase - DataOffset.Value));

    /// <summary>Whether <paramref name="pfn"/> backs the disk (not the info block or memmap).</summary>
    public bool IsDataPfn(Pfn pfn) => pfn >= FirstDataPfn && pfn < Pagemap.End;

    /// <summary>
    /// drivers/nvdimm/pmem.c: pmem_pagemap_memory_failure(pgmap, pfn, nr_pages, mf_flags):
    /// translate to a disk offset and length and ask the dax_device's holder (drivers/dax/super.c:
    /// dax_holder_notify_failure()).
    /// </summary>
    public Errno MemoryFailure(DevPagemap pagemap, Pfn pfn, ulong pages, MfFlags flags) =>
        DaxDevice.NotifyFailure(OffsetOf(pfn), new ByteLength(pages << PageGeometry.PageShift), flags);

    /// <summary>The memory cells of the page at <paramref name="offset"/> are bad (hardware, not software, poison).</summary>
    public bool HasMediaError(DeviceOffset offset) => mediaErrors.Contains(offset.Value >> PageGeometry.PageShift);

    /// <summary>
    /// How many of the <paramref name="pages"/> pages from <paramref name="offset"/> read back
    /// without a media error: all of them, or up to the first bad one (a range query over the range's 2 MiB bitmaps).
    /// </summary>
    public ulong CleanPagesFrom(DeviceOffset offset, ulong pages)
    {
        if (pages == 0 || mediaErrors.Count == 0)
        {
            return pages;
        }

        var first = offset.Value >> PageGeometry.PageShift;
        return mediaErrors.FirstBetween(first, first + pages - 1) is { } bad ? bad - first : pages;
    }

    /// <summary>The memory cells of a page go bad; nothing knows until an access or a scrub reports it.</summary>
    public void InjectMediaError(DeviceOffset offset) => mediaErrors.Add(offset.Value >> PageGeometry.PageShift);

    /// <summary>
    /// A machine check reported the page at <paramref name="offset"/> (hardware poison). NFIT's MCE
    /// notifier adds it to the bus's bad ranges and pmem_revalidate_poison adds it to badblocks
    /// (one page: 8 sectors, as seen on Debian's 6.1 and 6.12 under QEMU).
    /// </summary>
    public void RecordMachineCheck(DeviceOffset offset)
    {
        mediaErrors.Add(offset.Value >> PageGeometry.PageShift);
        if (Badblocks.AddPage(offset))
        {
            kernel.Trace.BadblocksChanged(Name, offset.AlignDownToPage().Value / PageGeometry.SectorSize, PageGeometry.PageSize / PageGeometry.SectorSize, added: true);
        }
    }

    /// <summary>
    /// drivers/nvdimm/pmem.c: pmem_clear_poison() from a whole-page dax_recovery_write: firmware
    /// clears the media error, the badblocks entry goes, and so does the page's PageHWPoison.
    /// </summary>
    public void ClearPoison(DeviceOffset offset)
    {
        mediaErrors.Remove(offset.Value >> PageGeometry.PageShift);
        if (Badblocks.ClearPage(offset))
        {
            kernel.Trace.BadblocksChanged(Name, offset.AlignDownToPage().Value / PageGeometry.SectorSize, PageGeometry.PageSize / PageGeometry.SectorSize, added: false);
        }

        Pagemap.PageOf(PfnOf(offset)).HwPoison = false;
    }

    /// <summary>
    /// drivers/nvdimm/pmem.c: __pmem_direct_access for [offset, offset+length): -EHWPOISON over
    /// a bad block (except in recovery-write mode), -ENXIO once the dax_device is dead.
    /// </summary>
    public Errno DirectAccess(DeviceOffset offset, ByteLength length, bool recoveryWrite)
    {
        if (!DaxDevice.IsAlive)
        {
            return Errno.ENXIO;
        }

        return !recoveryWrite && Badblocks.Check(offset, length) ? Errno.EHWPOISON : Errno.Ok;
    }

    /// <summary>
    /// drivers/nvdimm/pmem.c: pmem_release_disk(): dax_remove_host, kill_dax, put_dax,
    /// del_gendisk. memunmap_pages follows (devres LIFO) through the pgmap.
    /// </summary>
    public void ReleaseDisk(Action<PmemDevice>? markDead = null)
    {
        kernel.Trace.Add(new TeardownStep("dax_remove_host", $"{Name}: the disk no longer finds its dax_device"));
        DaxDevice.KillDax();
        Deleted = true;
        kernel.Trace.Add(new TeardownStep("del_gendisk", $"{Name}: the block device is gone"));
        markDead?.Invoke(this);
        Pagemap.MemunmapPages();
    }

    public override string ToString() => Name;
}
