using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Mm;

namespace DaxHolder.Kernel.Fs.Dax;

/// <summary>fs/dax.c: 2 MiB (PMD) faults, dax_iomap_pmd_fault() and its fallback checks (dax_fault_check_fallback()).</summary>
internal sealed partial class FsDax
{
    /// <summary>
    /// fs/dax.c: dax_iomap_pmd_fault(). SIGBUS when the PMD starts beyond i_size; otherwise it
    /// falls back to PTEs unless every prerequisite holds (dax_fault_check_fallback and what
    /// follows): the file pgoff and the address have the same 2 MiB colour, it is not a private
    /// write, the whole 2 MiB lies inside the VMA and below i_size, no PTE entry or PTE table
    /// already covers it, the extent spans the 2 MiB, and its pfn is 2 MiB-aligned and not bad.
    /// </summary>
    private FaultOutcome DaxIomapPmdFault(VmFault vmf, OpenFile file)
    {
        var mapping = file.Mapping;
        var pmdAddress = vmf.Address.AlignDown(PageGeometry.PmdSize);
        var index = new PageIndex(vmf.Pgoff.Value & ~PmdColour);
        var maxPgoff = (file.Size.Value + PageGeometry.PageSize - 1) >> PageGeometry.PageShift;
        if (index.Value >= maxPgoff)
        {
            return new FaultOutcome(VmFaultResult.Sigbus, Why: "the PMD lies beyond i_size");
        }

        if (((vmf.Pgoff.Value ^ (vmf.Address.Value >> PageGeometry.PageShift)) & PmdColour) != 0
            || (vmf.Write && !vmf.Vma.IsShared)
            || pmdAddress < vmf.Vma.Start
            || pmdAddress.Value + PageGeometry.PmdSize > vmf.Vma.End.Value
            || (index.Value | PmdColour) >= maxPgoff
            || mapping.Entries.AnyPteEntryIn(index)
            || vmf.Vma.Mm.PageTable.HasPteTable(pmdAddress))
        {
            return new FaultOutcome(VmFaultResult.Fallback);
        }

        var entry = GrabMappingEntry(mapping, index, pmd: true);
        var position = new FileOffset(index.Value << PageGeometry.PageShift);
        var request = IomapRequest.Fault | IomapRequest.Dax | (vmf.Write ? IomapRequest.Write : IomapRequest.Read);
        var begin = IomapBegin(file, position, new ByteLength(PageGeometry.PmdSize), request);
        if (!begin.IsOk)
        {
            return new FaultOutcome(VmFaultResult.Fallback);
        }

        var map = begin.Value.Map;
        if (map.Offset.Value > position.Value || map.Offset.Value + map.Length.Value < position.Value + PageGeometry.PmdSize)
        {
            IomapEnd(file, position, new ByteLength(PageGeometry.PmdSize), request & ~IomapRequest.Write, map);
            return new FaultOutcome(VmFaultResult.Fallback);
        }

        if (!vmf.Write && map.Type != IomapType.Mapped)
        {
            return DaxLoadHole(vmf, mapping, entry, index, pmd: true);
        }

        if (map.Type != IomapType.Mapped && (map.Flags & IomapMappingFlags.Shared) == 0)
        {
            WarnOnce("fs/dax.c: dax_fault_iter", vmf.Task.Tid);
            return new FaultOutcome(VmFaultResult.Fallback);
        }

        var pfn = PfnOf(map, position);
        if ((pfn.Value & PmdColour) != 0 || Access(map, begin.Value.Source, position, new ByteLength(PageGeometry.PmdSize)) is not null)
        {
            IomapEnd(file, position, new ByteLength(PageGeometry.PmdSize), request & ~IomapRequest.Write, map);
            return new FaultOutcome(VmFaultResult.Fallback);
        }

        var inserted = DaxInsertEntry(vmf, mapping, entry, index, pfn, map, pmd: true);
        var leaf = new PageTableEntry(pmdAddress, PageGeometry.PmdShift, PteKind.Dax, inserted.Pfn, vmf.Write);
        vmf.Vma.Mm.PageTable.Set(leaf);
        IomapEnd(file, position, new ByteLength(PageGeometry.PmdSize), request, map);
        return new FaultOutcome(VmFaultResult.NoPage, leaf);
    }
}
