using DaxHolder.Abstractions;

namespace DaxHolder.Kernel.Drivers.Nvdimm;

/// <summary>
/// block/badblocks.c: the pmem disk's list of bad 512-byte sectors, relative to the start of the
/// disk (the namespace's data area). Added by NFIT on a machine check (drivers/acpi/nfit/mce.c:
/// nfit_handle_mce()) or ARS, cleared by a whole-page recovery write.
/// </summary>
internal sealed class Badblocks
{
    private const ulong SectorsPerPage = PageGeometry.PageSize / PageGeometry.SectorSize;
    private readonly SortedSet<ulong> sectors = [];

    public int Count => sectors.Count;

    public IEnumerable<ulong> Sectors => sectors;

    /// <summary>badblocks_set(): marks the sectors of the page holding <paramref name="offset"/>. Returns whether any was new.</summary>
    public bool AddPage(DeviceOffset offset)
    {
        var first = offset.AlignDownToPage().Value / PageGeometry.SectorSize;
        var added = false;
        for (var s = first; s < first + SectorsPerPage; s++)
        {
            added |= sectors.Add(s);
        }

        return added;
    }

    /// <summary>badblocks_clear() for the page holding <paramref name="offset"/>. Returns whether any was set.</summary>
    public bool ClearPage(DeviceOffset offset)
    {
        var first = offset.AlignDownToPage().Value / PageGeometry.SectorSize;
        var cleared = false;
        for (var s = first; s < first + SectorsPerPage; s++)
        {
            cleared |= sectors.Remove(s);
        }

        return cleared;
    }

    /// <summary>badblocks_check() / is_bad_pmem(): any bad sector in [offset, offset+length).</summary>
    public bool Check(DeviceOffset offset, ByteLength length)
    {
        if (sectors.Count == 0 || length.Value == 0)
        {
            return false;
        }

        var first = offset.Value / PageGeometry.SectorSize;
        var last = (offset.Value + length.Value - 1) / PageGeometry.SectorSize;
        return sectors.GetViewBetween(first, last).Count > 0;
    }
}
