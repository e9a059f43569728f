using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Mm;

/// <summary>mm_types.h: the VM_* protection and sharing bits a VMA carries.</summary>
[Flags]
internal enum VmFlags
{
    None = 0,
    Read = 1 << 0,
    Write = 1 << 1,

    /// <summary>VM_SHARED: MAP_SHARED; without it writes copy-on-write into anonymous pages.</summary>
    Shared = 1 << 3,

    /// <summary>VM_NOHUGEPAGE (madvise MADV_NOHUGEPAGE): no PMD or PUD faults.</summary>
    NoHugePage = 1 << 30,
}

/// <summary>
/// include/linux/mm_types.h: struct vm_area_struct, [Start, End) of one mm mapping a file from
/// page Pgoff (or anonymous memory when File is null).
/// </summary>
internal sealed class VmArea
{
    internal VmArea(MmStruct mm, UserAddress start, UserAddress end, OpenFile? file, PageIndex pgoff, VmFlags flags)
    {
        Mm = mm;
        Start = start;
        End = end;
        File = file;
        Pgoff = pgoff;
        Flags = flags;
    }

    public MmStruct Mm { get; }

    public UserAddress Start { get; }

    public UserAddress End { get; }

    /// <summary>vm_file: the open file this VMA maps, or null for anonymous memory.</summary>
    public OpenFile? File { get; }

    /// <summary>vm_pgoff: the file page mapped at Start.</summary>
    public PageIndex Pgoff { get; }

    public VmFlags Flags { get; }

    public bool IsShared => (Flags & VmFlags.Shared) != 0;

    public ulong Pages => (End.Value - Start.Value) >> PageGeometry.PageShift;

    /// <summary>The last file page this VMA maps.</summary>
    public PageIndex LastPgoff => new(Pgoff.Value + Pages - 1);

    public bool Contains(UserAddress address) => address >= Start && address < End;

    /// <summary>
    /// mm/internal.h: vma_address(vma, pgoff, 1) (≤6.9 vma_pgoff_address): the user address of
    /// file page <paramref name="pgoff"/>, or -EFAULT when the VMA does not map it.
    /// </summary>
    public UserAddress AddressOf(PageIndex pgoff)
    {
        if (pgoff < Pgoff || pgoff > LastPgoff)
        {
            return UserAddress.Efault;
        }

        return Start.Add((pgoff.Value - Pgoff.Value) << PageGeometry.PageShift);
    }

    /// <summary>linear_page_index(vma, address): the file page mapped at <paramref name="address"/>.</summary>
    public PageIndex PgoffOf(UserAddress address) =>
        new(Pgoff.Value + ((address.Value - Start.Value) >> PageGeometry.PageShift));

    public override string ToString() => $"{Start}-{End}";
}
