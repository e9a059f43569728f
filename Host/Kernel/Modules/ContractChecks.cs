using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Drivers.Dax;

namespace DaxHolder.Kernel.Modules;

/// <summary>
/// What the guard checks in a value a plugin returns, before the kernel uses it. A violation is
/// a plugin fault, never a crash of the kernel model further on:
/// <list type="bullet">
/// <item>an errno (bare, or in <see cref="ErrnoOr{T}"/>) is one of the named <see cref="Errno"/> values;</item>
/// <item>an iomap (-&gt;iomap_begin) covers the position asked for, and a DAX mapping lies inside
/// its dax device with the file offset and device address sharing their page alignment;</item>
/// <item>an rmap record (IReverseMap.Query) is non-empty, overlaps the range asked for, and names an
/// owner: an inode number above 0 or a metadata kind.</item>
/// </list>
/// Each guard member calls the check of what it returns; every check gives the violation's text, or null.
/// </summary>
internal static class ContractChecks
{
    /// <summary>Any member returning <see cref="Errno"/> or <see cref="ErrnoOr{T}"/> (its <see cref="ErrnoOr{T}.Error"/>).</summary>
    public static string? ErrnoViolation(Errno errno) =>
        Enum.IsDefined(errno) ? null : $"returned errno {(int)errno}, which is not one of the named errnos (DaxHolder.Abstractions.Errno)";

    /// <summary>IIomapOps.IomapBegin(inode, <paramref name="position"/>, ...): the errno, then the mapping.</summary>
    public static string? IomapBeginViolation(ErrnoOr<IomapResult> result, FileOffset position) =>
        ErrnoViolation(result.Error) ?? (result is { IsOk: true, Value: var map } ? IomapViolation(map, position) : null);

    private static string? IomapViolation(IomapResult result, FileOffset position)
    {
        if (result.Map is null)
        {
            return "iomap_begin returned no mapping";
        }

        var map = result.Map;
        if (map.Length.Value == 0 || position.Value < map.Offset.Value || position.Value - map.Offset.Value >= map.Length.Value)
        {
            return $"iomap_begin for file offset {position} returned [{map.Offset}, +{map.Length}), which does not cover it";
        }

        return DaxMappingViolation(map, "iomap") ?? (result.Source is { } source ? DaxMappingViolation(source, "srcmap") : null);
    }

    private static string? DaxMappingViolation(Iomap map, string which)
    {
        if (map.Type is not (IomapType.Mapped or IomapType.Unwritten) || map.DaxDevice is not DaxDevice dax)
        {
            return null;
        }

        if (map.Address is not { } address)
        {
            return $"{which} of type {map.Type} has no device address";
        }

        var size = dax.Pmem.Disk.Size.Value;
        if (address.Value > size || map.Length.Value > size - address.Value)
        {
            return $"{which} [{address}, +{map.Length}) lies past the end of {dax.DiskName} ({size} bytes)";
        }

        if ((address.Value % PageGeometry.PageSize) != (map.Offset.Value % PageGeometry.PageSize))
        {
            return $"{which} maps file offset {map.Offset} to device address {address}, which is not at the same offset within a page";
        }

        return null;
    }

    /// <summary>IReverseMap.Query(<paramref name="range"/>).</summary>
    public static string? QueryViolation(IReadOnlyList<RmapRecord>? records, DeviceExtent range)
    {
        if (records is null)
        {
            return "IReverseMap.Query returned null instead of a list";
        }

        foreach (var record in records)
        {
            if (record is null)
            {
                return "IReverseMap.Query returned a null record";
            }

            if (record.Extent.Length.Value == 0 || !record.Extent.Overlaps(range))
            {
                return $"rmap record {record.Extent} does not overlap the range asked for, {range}";
            }

            if (record.Owner.Inode is { } ino ? ino.Value == 0 : string.IsNullOrEmpty(record.Owner.Metadata))
            {
                return $"rmap record {record.Extent} names no owner (an inode number above 0, or a metadata kind)";
            }
        }

        return null;
    }
}
