using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Versions;
using YamlDotNet.RepresentationModel;

namespace DaxHolder.Scenarios.Language;

/// <summary>
/// Binds one cell's YAML tree to a <see cref="Scenario"/>: every field typed and located, unknown
/// fields refused, names (tasks, mappings, files) checked before anything runs.
/// </summary>
internal sealed partial class ScenarioParser(string file, YamlMappingNode root)
{
    /// <summary>Where the demo and tests put a namespace: 4 GiB, as the QEMU setup Debian's kernels were observed on does.</summary>
    public const ulong DefaultPhysicalBase = 0x1_0000_0000;

    private readonly YamlMap top = new(root, file, "");
    private readonly HashSet<string> tasks = new(StringComparer.Ordinal);
    private readonly HashSet<int> ids = [];
    private readonly HashSet<string> maps = new(StringComparer.Ordinal);
    private readonly HashSet<string> files = new(StringComparer.Ordinal);
    private DeviceSpec device = null!;
    private FileSystemSpec? fileSystem;

    public Scenario Parse()
    {
        var name = top.String("name") ?? Path.GetFileNameWithoutExtension(file);
        var description = top.String("description");
        var kernelName = top.String("kernel") ?? KernelProfiles.Default.Name;
        var kernel = KernelProfiles.Find(kernelName)
            ?? throw new ScenarioException(top.At("kernel"), $"no kernel profile '{kernelName}' (known: {string.Join(", ", KernelProfiles.All.Select(p => p.Name))})");
        var sysctls = ParseSysctls(top.Map("sysctls"));
        device = ParseDevice(top.Map("device") ?? new YamlMap(new YamlMappingNode(), file, "device"));
        fileSystem = ParseFileSystem(top.Map("filesystem"));
        var fileSpecs = ParseFiles();
        _ = top.Raw("matrix");
        var steps = ParseSteps();
        top.RejectUnknown();
        return new Scenario(name, description, file, kernel, sysctls, device, fileSystem, fileSpecs, steps);
    }

    private static SysctlSettings ParseSysctls(YamlMap? map)
    {
        if (map is null)
        {
            return new SysctlSettings(0, 1);
        }

        var vm = map.Map("vm");
        map.RejectUnknown();
        if (vm is null)
        {
            return new SysctlSettings(0, 1);
        }

        var earlyKill = vm.Choice("memory_failure_early_kill", "0", "1") ?? "0";
        var recovery = vm.Choice("memory_failure_recovery", "0", "1") ?? "1";
        vm.RejectUnknown();
        return new SysctlSettings(earlyKill == "1" ? 1 : 0, recovery == "1" ? 1 : 0);
    }

    private static DeviceSpec ParseDevice(YamlMap map)
    {
        var mode = map.Choice("mode", "fsdax", "devdax") == "devdax" ? DeviceMode.Devdax : DeviceMode.Fsdax;
        var size = map.Size("size") ?? new ByteLength(1UL << 30);
        var dataOffset = map.Size("data-offset") ?? new ByteLength(PageGeometry.PmdSize);
        var memmap = map.Choice("memmap", "mem", "dev") == "dev" ? MemmapLocation.Device : MemmapLocation.Ram;
        var align = map.Size("align");
        var physicalBase = map.Integer("base") ?? DefaultPhysicalBase;
        map.RejectUnknown();
        if (size.Value % PageGeometry.PmdSize != 0 || size.Value == 0)
        {
            throw new ScenarioException(map.At("size"), "the namespace size must be a non-zero multiple of 2MiB");
        }

        if (dataOffset.Value % PageGeometry.PageSize != 0 || dataOffset.Value >= size.Value)
        {
            throw new ScenarioException(map.At("data-offset"), "the data offset must be page-aligned and inside the namespace");
        }

        if (physicalBase % PageGeometry.PmdSize != 0)
        {
            throw new ScenarioException(map.At("base"), "the physical base must be 2MiB-aligned");
        }

        if (size.Value > ScenarioLimits.DeviceSize)
        {
            throw new ScenarioException(map.At("size"), $"a namespace of {Quantities.FormatSize(size.Value)} is larger than {Quantities.FormatSize(ScenarioLimits.DeviceSize)}, the largest device the model holds");
        }

        if (physicalBase >= ScenarioLimits.PhysicalAddressEnd || size.Value > ScenarioLimits.PhysicalAddressEnd - physicalBase)
        {
            throw new ScenarioException(map.At(map.Has("size") ? "size" : "base"),
                $"a namespace of {Quantities.FormatSize(size.Value)} at 0x{physicalBase:x} reaches past 4PiB, the physical address space of x86-64 with 5-level paging (MAX_PHYSMEM_BITS 52)");
        }

        if (mode == DeviceMode.Fsdax && align is not null)
        {
            throw new ScenarioException(map.At("align"), "align is a devdax setting");
        }

        var alignment = align?.Value ?? PageGeometry.PmdSize;
        if (alignment is not (PageGeometry.PageSize or PageGeometry.PmdSize or PageGeometry.PudSize))
        {
            throw new ScenarioException(map.At("align"), "a devdax alignment is 4KiB, 2MiB or 1GiB");
        }

        if (mode == DeviceMode.Devdax && ((size.Value - dataOffset.Value) % alignment != 0 || dataOffset.Value % alignment != 0))
        {
            throw new ScenarioException(map.At("align"), $"the data offset and data size must be multiples of the alignment {Quantities.FormatSize(alignment)}");
        }

        return new DeviceSpec(size, mode, dataOffset, memmap, alignment, physicalBase);
    }

    private FileSystemSpec? ParseFileSystem(YamlMap? map)
    {
        if (map is null)
        {
            return null;
        }

        if (device.Mode == DeviceMode.Devdax)
        {
            throw new ScenarioException(map.Location, "a devdax namespace has no filesystem: remove it, or set device.mode to fsdax");
        }

        var type = map.RequiredString("type");
        var mkfs = Options(map, "mkfs");
        var mount = Options(map, "mount");
        var mkfsAt = map.At("mkfs");
        if (map.Map("by-type") is { } byType)
        {
            if (byType.Map(type) is { } own)
            {
                mkfs = own.Has("mkfs") ? Options(own, "mkfs") : mkfs;
                mkfsAt = own.Has("mkfs") ? own.At("mkfs") : mkfsAt;
                mount = own.Has("mount") ? Options(own, "mount") : mount;
                own.RejectUnknown();
            }

            byType.RejectUnknown([.. byType.Keys]);
        }

        map.RejectUnknown();
        return new FileSystemSpec(type, mkfs, mount, map.At("type"), mkfsAt);
    }

    /// <summary>Options written as "a=1,b" or as a mapping (a: 1, b: "") in the order written.</summary>
    private static FsOptions Options(YamlMap map, string key)
    {
        var raw = map.Raw(key);
        if (raw is null)
        {
            return FsOptions.Empty;
        }

        try
        {
            if (raw is YamlScalarNode scalar)
            {
                return FsOptions.Parse(scalar.Value);
            }

            var options = new YamlMap(raw, map.File, map.Field(key));
            return FsOptions.From(options.Keys.ToList().Select(k => new KeyValuePair<string, string?>(k, options.String(k) is { Length: > 0 } v ? v : null)));
        }
        catch (FormatException e)
        {
            throw new ScenarioException(map.At(key), e.Message);
        }
    }

    private List<FileSpec> ParseFiles()
    {
        var list = new List<FileSpec>();
        foreach (var (node, path) in top.Sequence("files"))
        {
            if (fileSystem is null)
            {
                throw new ScenarioException(top.At(node, path), "files need a filesystem");
            }

            var map = new YamlMap(node, file, path);
            var name = FilePath(map, "path");
            if (files.Count >= ScenarioLimits.Files)
            {
                throw new ScenarioException(map.At("path"), $"more than {ScenarioLimits.Count(ScenarioLimits.Files)} files");
            }

            if (!files.Add(name))
            {
                throw new ScenarioException(map.At("path"), $"{name} is listed twice");
            }

            var cloneOf = map.String("clone-of");
            if (cloneOf is not null && (cloneOf == name || !files.Contains(cloneOf)))
            {
                throw new ScenarioException(map.At("clone-of"), $"{cloneOf} is not a file listed before this one");
            }

            var size = map.Has("size") ? FileLength(map, "size") : (cloneOf is null ? throw map.Missing("size") : new ByteLength(0));
            if (cloneOf is not null && map.Has("size"))
            {
                throw new ScenarioException(map.At("size"), "a clone takes its source's size");
            }

            var contents = map.Choice("contents", "data", "unwritten", "hole") switch
            {
                "unwritten" => FileContents.Unwritten,
                "hole" => FileContents.Hole,
                _ => FileContents.Data,
            };
            var hint = map.Size("extent-size-hint");
            var extents = map.Int("extents") ?? 1;
            if (extents < 1)
            {
                throw new ScenarioException(map.At("extents"), "extents must be at least 1");
            }

            if (extents > 1 && (contents != FileContents.Data || cloneOf is not null))
            {
                throw new ScenarioException(map.At("extents"), "extents splits written data: not with contents unwritten or hole, nor with clone-of");
            }

            if (extents > 1 && size.Value % (2UL * (ulong)extents * PageGeometry.PageSize) != 0)
            {
                throw new ScenarioException(map.At("size"), $"a file in {extents} extents needs a size that is a multiple of {2 * extents} blocks of 4KiB (each extent is followed by a hole of the same length)");
            }

            var ranges = map.Sequence("clone-ranges").Select(r => ParseCloneRange(new YamlMap(r.Node, file, r.Path))).ToList();
            var fallback = map.Choice("fallback", "copy", "none") == "copy";
            if (fallback && cloneOf is null && ranges.Count == 0)
            {
                throw new ScenarioException(map.At("fallback"), "fallback: copy is what a failed FICLONE or FICLONERANGE does instead; this file has neither clone-of nor clone-ranges");
            }

            var content = ParseContent(map, size, cloneOf, contents);
            map.RejectUnknown();
            list.Add(new FileSpec(name, size, contents, hint, extents, cloneOf, ranges, map.Location) { Content = content, CopyOnCloneFailure = fallback });
        }

        return list;
    }

    private CloneRangeSpec ParseCloneRange(YamlMap map)
    {
        var source = map.RequiredString("source");
        if (!files.Contains(source))
        {
            throw new ScenarioException(map.At("source"), $"{source} is not a file listed before this one");
        }

        var range = new CloneRangeSpec(source, FilePosition(map, "source-offset"), FilePosition(map, "offset"), map.Has("length") ? FileLength(map, "length") : throw map.Missing("length"), map.Location);
        map.RejectUnknown();
        return range;
    }

    private static string FilePath(YamlMap map, string key)
    {
        var path = map.RequiredString(key);
        return path.StartsWith('/') && path.Length > 1 && !path.EndsWith('/')
            ? path
            : throw new ScenarioException(map.At(key), $"'{path}' is not an absolute file path inside the filesystem, e.g. /testfile");
    }
}
