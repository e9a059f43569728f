using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Mm;

/// <summary>mm/mmap.c and kernel/fork.c: creating, splitting, copying and tearing down VMAs.</summary>
internal static class Mmap
{
    /// <summary>Where automatically placed mappings start (top of a typical x86-64 mmap area, going up).</summary>
    public static readonly UserAddress MmapBase = new(0x7f0000000000);

    /// <summary>
    /// mm/mmap.c: do_mmap() of a file (or anonymous memory when <paramref name="file"/> is null)
    /// at <paramref name="address"/>, or, when null, at the next free 2 MiB-aligned address
    /// (thp_get_unmapped_area aligns DAX mappings so PMD faults are possible; device-DAX aligns
    /// to its own alignment and refuses unaligned or private mappings). The VMA joins the
    /// file's i_mmap and holds a reference to the open file.
    /// </summary>
    public static ErrnoOr<VmArea> DoMmap(MmStruct mm, OpenFile? file, PageIndex pgoff, ByteLength length, VmFlags flags, UserAddress? address = null)
    {
        ArgumentNullException.ThrowIfNull(mm);
        if (length.Value == 0 || !length.IsPageAligned)
        {
            return ErrnoOr<VmArea>.Fail(Errno.EINVAL, "the length must be a non-zero multiple of 4096");
        }

        var align = file?.DeviceDax is { } devdax ? Math.Max(devdax.Align, PageGeometry.PmdSize) : PageGeometry.PmdSize;
        var start = address ?? NextFree(mm, length, align);
        if ((start.Value & (PageGeometry.PageSize - 1)) != 0)
        {
            return ErrnoOr<VmArea>.Fail(Errno.EINVAL, $"address {start} is not page aligned");
        }

        if (file?.DeviceDax is { } device && device.CheckVma(start, length, flags) is var check && check != Errno.Ok)
        {
            return ErrnoOr<VmArea>.Fail(check, $"{device.Name}: the mapping must be shared and {device.Align}-byte aligned (check_vma)");
        }

        var end = start.Add(length.Value);
        if (mm.Overlaps(start, end))
        {
            return ErrnoOr<VmArea>.Fail(Errno.EEXIST, $"{start}-{end} overlaps an existing mapping (MAP_FIXED_NOREPLACE)");
        }

        var vma = new VmArea(mm, start, end, file, pgoff, flags);
        Attach(vma);
        return ErrnoOr<VmArea>.Ok(vma);
    }

    /// <summary>
    /// mm/mmap.c: do_munmap() of [start, start+length): the page tables of the range are zapped
    /// and VMAs that straddle an edge are split (split_vma), keeping their pgoff arithmetic.
    /// </summary>
    public static Errno DoMunmap(MmStruct mm, UserAddress start, ByteLength length)
    {
        ArgumentNullException.ThrowIfNull(mm);
        if (length.Value == 0 || !length.IsPageAligned || (start.Value & (PageGeometry.PageSize - 1)) != 0)
        {
            return Errno.EINVAL;
        }

        var end = start.Add(length.Value);
        foreach (var vma in mm.Vmas.Where(v => v.Start < end && start < v.End).ToList())
        {
            Detach(vma);
            mm.PageTable.Zap(vma.Start > start ? vma.Start : start, vma.End < end ? vma.End : end, evenCows: true);
            if (vma.Start < start)
            {
                Attach(new VmArea(mm, vma.Start, start, vma.File, vma.Pgoff, vma.Flags));
            }

            if (vma.End > end)
            {
                var tailPgoff = new PageIndex(vma.Pgoff.Value + ((end.Value - vma.Start.Value) >> PageGeometry.PageShift));
                Attach(new VmArea(mm, end, vma.End, vma.File, tailPgoff, vma.Flags));
            }

            Release(vma.File);
        }

        return Errno.Ok;
    }

    /// <summary>
    /// kernel/fork.c: dup_mmap(): the child gets a copy of every VMA. Page tables are copied only
    /// for VMAs that have anonymous pages (vma_needs_copy: an anon_vma); a shared DAX mapping
    /// starts empty in the child and faults on first touch.
    /// </summary>
    public static void DupMmap(MmStruct parent, MmStruct child)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(child);
        foreach (var vma in parent.Vmas)
        {
            var copy = new VmArea(child, vma.Start, vma.End, vma.File, vma.Pgoff, vma.Flags);
            Attach(copy);
            var leaves = parent.PageTable.Entries.Where(e => vma.Contains(e.Address)).ToList();
            if (leaves.Any(e => e.Kind == PteKind.Anonymous))
            {
                foreach (var leaf in leaves)
                {
                    child.PageTable.Set(leaf with { Writable = false });
                }
            }
        }
    }

    /// <summary>mm/mmap.c: exit_mmap(): every VMA is unmapped and its file released.</summary>
    public static void ExitMmap(MmStruct mm)
    {
        ArgumentNullException.ThrowIfNull(mm);
        foreach (var vma in mm.Vmas.ToList())
        {
            Detach(vma);
            mm.PageTable.Zap(vma.Start, vma.End, evenCows: true);
            Release(vma.File);
        }
    }

    private static void Attach(VmArea vma)
    {
        vma.Mm.Insert(vma);
        if (vma.File is { } file)
        {
            file.Mapping.IMmap.Insert(vma);
            file.References++;
        }
    }

    private static void Detach(VmArea vma)
    {
        vma.Mm.Remove(vma);
        vma.File?.Mapping.IMmap.Remove(vma);
    }

    /// <summary>fput(): the last reference releases the inode.</summary>
    internal static void Release(OpenFile? file)
    {
        if (file is null)
        {
            return;
        }

        file.References--;
        if (file.References == 0)
        {
            file.Release();
        }
    }

    private static UserAddress NextFree(MmStruct mm, ByteLength length, ulong align)
    {
        var candidate = MmapBase;
        foreach (var vma in mm.Vmas.Where(v => v.End > MmapBase))
        {
            if (candidate.Value + length.Value <= vma.Start.Value)
            {
                break;
            }

            candidate = vma.End.AlignDown(align);
            if (candidate < vma.End)
            {
                candidate = candidate.Add(align);
            }
        }

        return candidate;
    }
}
