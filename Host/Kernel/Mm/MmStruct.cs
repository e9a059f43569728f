using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Mm;

/// <summary>include/linux/mm_types.h: struct mm_struct, an address space: its VMAs in address order and its page tables.</summary>
internal sealed class MmStruct
{
    private readonly List<VmArea> vmas = [];

    internal MmStruct(int id) => Id = id;

    /// <summary>A number for reports: the tgid of the process that created it.</summary>
    public int Id { get; }

    /// <summary>mm->owner: the process this mm belongs to, for naming it in reports.</summary>
    public Tasks.ThreadGroup? Owner { get; internal set; }

    /// <summary>The VMAs in address order (the maple tree's order).</summary>
    public IReadOnlyList<VmArea> Vmas => vmas;

    public PageTable PageTable { get; } = new();

    /// <summary>mm/mmap.c: find_vma_intersection() for one address.</summary>
    public VmArea? FindVma(UserAddress address) => vmas.FirstOrDefault(v => v.Contains(address));

    public bool Overlaps(UserAddress start, UserAddress end) => vmas.Any(v => v.Start < end && start < v.End);

    internal void Insert(VmArea vma)
    {
        var at = vmas.FindIndex(v => v.Start > vma.Start);
        vmas.Insert(at < 0 ? vmas.Count : at, vma);
    }

    internal void Remove(VmArea vma) => vmas.Remove(vma);
}
