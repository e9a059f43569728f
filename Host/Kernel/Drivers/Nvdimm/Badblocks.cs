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

    // Sectors are only ever set and cleared a whole page at a time, so a page number stands for
    // its eight sectors: one entry per bad page instead of eight.
    private readonly PageSet pages = new();

    /// <summary>How many bad sectors the list holds.</summary>
    public int Count => pages.Count * (int)SectorsPerPage;

    /// <summary>The bad sectors, in order.</summary>
    public IEnumerable<ulong> Sectors
    {
        get
        {
            foreach (var page in pages.InOrder())
            {
                for (var s = 0UL; s < SectorsPerPage; s++)
                {
                    yield return (page * SectorsPerPage) + s;
                }
            }
        }
    }

    /// <summary>badblocks_set(): marks the sectors of the page holding <paramref name="offset"/>. Returns whether any was new.</summary>
    public bool AddPage(DeviceOffset offset) => pages.Add(offset.Value >> PageGeometry.PageShift);

    /// <summary>badblocks_clear() for the page holding <paramref name="offset"/>. Returns whether any was set.</summary>
    public bool ClearPage(DeviceOffset offset) => pages.Remove(offset.Value >> PageGeometry.PageShift);

    /// <summary>badblocks_check() / is_bad_pmem(): any bad sector in [offset, offset+length).</summary>
    public bool Check(DeviceOffset offset, ByteLength length)
    {
        if (pages.Count == 0 || length.Value == 0)
        {
            return false;
        }

        // A sector is bad exactly when its page is: the sector range meets a bad page.
        var first = offset.Value / PageGeometry.SectorSize / SectorsPerPage;
        var last = (offset.Value + length.Value - 1) / PageGeometry.SectorSize / SectorsPerPage;
        return first == last ? pages.Contains(first) : pages.FirstBetween(first, last) is not null;
    }
}
