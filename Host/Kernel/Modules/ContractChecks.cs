using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
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
/// The check for each contract member is built once and cached.
/// </summary>
internal static class ContractChecks
{
    private static readonly ConcurrentDictionary<MethodInfo, Func<object?[]?, object?, string?>?> Checks = new();

    /// <summary>What is wrong with <paramref name="result"/> of <paramref name="method"/>, or null.</summary>
    public static string? Violation(MethodInfo method, object?[]? args, object? result) =>
        Checks.GetOrAdd(method, Build) is { } check ? check(args, result) : null;

    private static Func<object?[]?, object?, string?>? Build(MethodInfo method)
    {
        var returns = method.ReturnType;
        if (returns == typeof(Errno))
        {
            return (_, result) => ErrnoViolation((Errno)result!);
        }

        if (returns == typeof(ErrnoOr<IomapResult>) && method.Name == nameof(IIomapOps.IomapBegin))
        {
            return (args, result) => ErrnoViolation(((ErrnoOr<IomapResult>)result!).Error)
                ?? (((ErrnoOr<IomapResult>)result!) is { IsOk: true, Value: var map } ? IomapViolation(map, (FileOffset)args![1]!) : null);
        }

        if (returns == typeof(IReadOnlyList<RmapRecord>) && method.Name == nameof(IReverseMap.Query))
        {
            return (args, result) => RmapViolation((IReadOnlyList<RmapRecord>?)result, (DeviceExtent)args![0]!);
        }

        if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(ErrnoOr<>))
        {
            var errorOf = ErrorReader(returns);
            return (_, result) => ErrnoViolation(errorOf(result!));
        }

        return null;
    }

    /// <summary>Reads ErrnoOr&lt;T&gt;.Error from a boxed value without reflection on every call.</summary>
    private static Func<object, Errno> ErrorReader(Type errnoOr)
    {
        var boxed = Expression.Parameter(typeof(object));
        var error = Expression.Property(Expression.Unbox(boxed, errnoOr), nameof(ErrnoOr<object>.Error));
        return Expression.Lambda<Func<object, Errno>>(error, boxed).Compile();
    }

    private static string? ErrnoViolation(Errno errno) =>
        Enum.IsDefined(errno) ? null : $"returned errno {(int)errno}, which is not one of the named errnos (DaxHolder.Abstractions.Errno)";

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

    private static string? RmapViolation(IReadOnlyList<RmapRecord>? records, DeviceExtent range)
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
