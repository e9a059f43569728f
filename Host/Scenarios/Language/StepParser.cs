using DaxHolder.Abstractions;
using DaxHolder.Kernel.Mm.Tasks;

namespace DaxHolder.Scenarios.Language;

/// <summary>The steps: one kind per item (its key), its fields, and an optional <c>expect</c>.</summary>
internal sealed partial class ScenarioParser
{
    /// <summary>The file-lifecycle steps (StepParser.Files.cs); declared first, since <see cref="StepKinds"/> includes them.</summary>
    private static readonly string[] FileStepKinds = ["mkdir", "create", "readdir", "stat", "chattr", "open", "close", "fsync", "sync", "umount", "mount", "clone"];

    /// <summary>The step kinds, as scenarios and the JSON Schema spell them.</summary>
    internal static readonly string[] StepKinds =
    [
        "spawn", "fork", "set", "exit", "mmap", "munmap", "touch", "pread", "pwrite", "punch", "truncate", "unlink",
        "setxattr", "removexattr", "cycle-mount", "drop-caches", "madvise-hwpoison", "soft-offline", "corrupt-pfn", "machine-check", "access-mce", "unbind",
        .. FileStepKinds,
    ];

    private static readonly string[] TargetKinds = ["file", "device-offset", "pfn", "metadata", "pfn-of"];

    private List<Step> ParseSteps()
    {
        var steps = new List<Step>();
        var items = top.Sequence("steps");
        if (items.Count > ScenarioLimits.Steps)
        {
            throw new ScenarioException(top.At(items[ScenarioLimits.Steps].Node, items[ScenarioLimits.Steps].Path), $"more than {ScenarioLimits.Count(ScenarioLimits.Steps)} steps");
        }

        foreach (var (node, path) in items)
        {
            var item = new YamlMap(node, file, path);
            var kinds = item.Keys.Where(k => k is not ("expect" or "when")).ToList();
            if (kinds.Count != 1)
            {
                throw new ScenarioException(item.Location, kinds.Count == 0
                    ? $"a step needs one of: {string.Join(", ", StepKinds)}"
                    : $"one step per list item, found {string.Join(" and ", kinds)}");
            }

            var kind = kinds[0];
            if (!StepKinds.Contains(kind, StringComparer.Ordinal))
            {
                throw new ScenarioException(item.KeyAt(kind), $"unknown step '{kind}' (known: {string.Join(", ", StepKinds)})");
            }

            var body = item.Map(kind)!;
            var when = item.Map("when");
            if (!When(when))
            {
                // The step is not for this cell: it keeps its number and does nothing. Its names are
                // still declared (a later step naming them reports "not run" here); its body is not
                // checked against this cell, since it was written for another.
                DeclareNames(kind, body);
                steps.Add(new SkippedStep(item.Location, kind, "when " + string.Join(", ", when!.Keys.Select(k => $"{k} is {string.Join(" or ", when.Strings(k))}"))));
                continue;
            }

            var step = FileStepKinds.Contains(kind, StringComparer.Ordinal) ? ParseFileStep(kind, body, []) : ParseStep(kind, body, []);
            body.RejectUnknown();
            steps.Add(step with { Expect = ParseExpectations(item) });
            item.RejectUnknown();
        }

        return steps;
    }

    private Step ParseStep(string kind, YamlMap s, IReadOnlyList<ExpectationBlock> expect)
    {
        var at = s.Location;
        switch (kind)
        {
            case "spawn":
                var name = NewTask(s, "task");
                var pid = NewId(s, "pid");
                var threads = s.Sequence("threads").Select(t => new YamlMap(t.Node, file, t.Path)).Select(t =>
                {
                    var thread = new ThreadSpec(NewTask(t, "task"), NewId(t, "tid"));
                    t.RejectUnknown();
                    return thread;
                }).ToList();
                return new SpawnStep(at, expect, name, Comm(s) ?? name, pid, EarlyKill(s), Sigbus(s) ?? SigbusAction.Default, threads);
            case "fork":
                var parent = Task(s, "task");
                return new ForkStep(at, expect, parent, NewTask(s, "child"), NewId(s, "pid"), Comm(s), Sigbus(s));
            case "set":
                var task = Task(s, "task");
                var set = new SetTaskStep(at, expect, task, EarlyKill(s), Sigbus(s));
                return set.EarlyKill is null && set.Sigbus is null ? throw new ScenarioException(at, "set needs early-kill or sigbus") : set;
            case "exit":
                return new ExitStep(at, expect, Task(s, "task"));
            case "mmap":
                return ParseMmap(s, expect);
            case "munmap":
                return new MunmapStep(at, expect, Task(s, "task"), MapName(s));
            case "touch":
                return new TouchStep(at, expect, Task(s, "task"), MapName(s), Offset(s, "offset"), s.Size("length") ?? ByteLength.Page, s.Choice("access", "read", "write") == "write");
            case "pread" or "pwrite":
                return new FileIoStep(at, expect, File(s), FilePosition(s, "offset"), s.Has("length") ? FileLength(s, "length") : throw s.Missing("length"), kind == "pwrite");
            case "punch":
                return new FileChangeStep(at, expect, kind, File(s), FilePosition(s, "offset"), s.Has("length") ? FileLength(s, "length") : throw s.Missing("length"));
            case "truncate":
                return new FileChangeStep(at, expect, kind, File(s), default, s.Has("size") ? FileLength(s, "size") : throw s.Missing("size"));
            case "unlink":
                return new FileChangeStep(at, expect, kind, File(s), default, default);
            case "setxattr":
                return new FileChangeStep(at, expect, kind, File(s), default, s.RequiredSize("size"), s.RequiredString("name"));
            case "removexattr":
                return new FileChangeStep(at, expect, kind, File(s), default, default, s.RequiredString("name"));
            case "cycle-mount" or "drop-caches":
                NeedFileSystem(at, kind);
                return new CacheStep(at, expect, kind == "cycle-mount", kind == "cycle-mount" && s.String("task") is not null ? Task(s, "task") : null);
            case "madvise-hwpoison" or "soft-offline":
                return new MadviseStep(at, expect, Task(s, "task"), MapName(s), Offset(s, "offset"), s.Size("length") ?? ByteLength.Page, kind == "soft-offline");
            case "corrupt-pfn" or "machine-check":
                var target = Target(s);
                var writer = kind == "corrupt-pfn" ? Task(s, "task") : null;
                return new PoisonStep(at, expect, kind == "machine-check", target, writer);
            case "access-mce":
                return new AccessMceStep(at, expect, Task(s, "task"), MapName(s), Offset(s, "offset"), s.Choice("access", "read", "write") == "write");
            default:
                // The writer is optional (scenario.schema.json; StepRunner: "by the task if one is named").
                return new UnbindStep(at, expect, s.String("task") is not null ? Task(s, "task") : null);
        }
    }

    /// <summary>The names a skipped step would have made (tasks, mappings, open files, files), so later steps may still name them.</summary>
    private void DeclareNames(string kind, YamlMap s)
    {
        foreach (var (key, set) in new[] { ("task", tasks), ("child", tasks), ("as", kind == "open" ? fds : maps) })
        {
            if ((kind is "spawn" || key != "task") && s.String(key) is { } name)
            {
                set.Add(name);
            }
        }

        foreach (var key in new[] { "path", "to" })
        {
            if (kind is "create" or "clone" && s.String(key) is { Length: > 1 } path && path[0] == '/')
            {
                files.Add(path);
            }
        }

        foreach (var (node, path) in kind == "spawn" ? s.Sequence("threads") : [])
        {
            if (new YamlMap(node, file, path).String("task") is { } thread)
            {
                tasks.Add(thread);
            }
        }
    }

    private MmapStep ParseMmap(YamlMap s, IReadOnlyList<ExpectationBlock> expect)
    {
        var task = Task(s, "task");
        var name = s.RequiredString("as");
        if (maps.Count >= ScenarioLimits.Mappings)
        {
            throw new ScenarioException(s.At("as"), $"more than {ScenarioLimits.Count(ScenarioLimits.Mappings)} mappings");
        }

        if (!maps.Add(name))
        {
            throw new ScenarioException(s.At("as"), $"a mapping named '{name}' already exists");
        }

        string? path = null;
        if (device.Mode == DeviceMode.Fsdax)
        {
            path = File(s);
        }
        else if (s.Has("file"))
        {
            throw new ScenarioException(s.At("file"), "a devdax namespace is mapped through its character device: leave out file");
        }

        var offset = FilePosition(s, "offset");
        var length = s.Size("length");
        var address = s.Integer("address");
        if (offset.Value % PageGeometry.PageSize != 0 || (length is { } l && (l.Value == 0 || l.Value % PageGeometry.PageSize != 0)))
        {
            throw new ScenarioException(s.Location, "mmap offset and length must be page-aligned (length > 0)");
        }

        var prot = s.Choice("prot", "read", "write", "read-write") switch
        {
            "read" => MmapProt.Read,
            "write" => MmapProt.Write,
            _ => MmapProt.ReadWrite,
        };
        return new MmapStep(s.Location, expect, task, name, path, offset, length, s.Choice("type", "shared", "private") != "private", s.Bool("pmd") ?? true, address) { Prot = prot };
    }

    private PoisonTarget Target(YamlMap s)
    {
        var target = s.Map("target") ?? throw s.Missing("target");
        var given = TargetKinds.Where(target.Has).ToList();
        if (given.Count != 1)
        {
            throw new ScenarioException(target.Location, "a target is one of: file (with offset), device-offset, pfn, metadata (with an optional offset), pfn-of (a map or a file, with an offset)");
        }

        if (given[0] == "pfn-of")
        {
            var of = target.Map("pfn-of")!;
            if (of.Has("map") == of.Has("file"))
            {
                throw new ScenarioException(of.Location, "pfn-of names a map (the pfn that mapping saw at offset) or a file (its block at offset when the event comes)");
            }

            var pfnOf = of.Has("map")
                ? new PoisonTarget(null, Offset(of, "offset"), null, null, null, of.Location) { Map = MapName(of) }
                : new PoisonTarget(File(of), FilePosition(of, "offset"), null, null, null, of.Location);
            if (pfnOf.File is not null)
            {
                NeedFileSystem(of.Location, "a pfn-of file target");
            }

            of.RejectUnknown();
            target.RejectUnknown();
            return pfnOf;
        }

        PoisonTarget result = given[0] switch
        {
            "file" => new PoisonTarget(File(target), FilePosition(target, "offset"), null, null, null, target.Location),
            "device-offset" => new PoisonTarget(null, default, target.RequiredSize("device-offset").Value, null, null, target.Location),
            "pfn" => new PoisonTarget(null, default, null, target.RequiredInteger("pfn"), null, target.Location),
            _ => new PoisonTarget(null, Offset(target, "offset"), null, null, target.RequiredString("metadata"), target.Location),
        };
        if (result.Metadata is not null || result.File is not null)
        {
            NeedFileSystem(target.Location, given[0] + " target");
        }

        if (result.DeviceOffset is { } offset && offset >= device.DataSize.Value)
        {
            throw new ScenarioException(target.At("device-offset"), $"0x{offset:x} is outside the device's {Quantities.FormatSize(device.DataSize.Value)} of data");
        }

        if (result.Pfn is { } pfn && (pfn < device.PhysicalBase >> PageGeometry.PageShift || pfn >= (device.PhysicalBase + device.Size.Value) >> PageGeometry.PageShift))
        {
            throw new ScenarioException(target.At("pfn"), $"pfn 0x{pfn:x} is outside the namespace (pfns 0x{device.PhysicalBase >> PageGeometry.PageShift:x} to 0x{((device.PhysicalBase + device.Size.Value) >> PageGeometry.PageShift) - 1:x})");
        }

        target.RejectUnknown();
        return result;
    }

    private string NewTask(YamlMap s, string key)
    {
        var name = s.RequiredString(key);
        if (tasks.Count >= ScenarioLimits.Tasks)
        {
            throw new ScenarioException(s.At(key), $"more than {ScenarioLimits.Count(ScenarioLimits.Tasks)} tasks");
        }

        return tasks.Add(name) ? name : throw new ScenarioException(s.At(key), $"a task named '{name}' already exists");
    }

    private int NewId(YamlMap s, string key)
    {
        var id = s.Int(key, 4_194_304) ?? throw s.Missing(key);
        return id > 2 && ids.Add(id) ? id : throw new ScenarioException(s.At(key), id <= 2 ? "pids 0 to 2 belong to the kernel" : $"pid/tid {id} is already taken");
    }

    private string Task(YamlMap s, string key)
    {
        var name = s.RequiredString(key);
        return tasks.Contains(name) ? name : throw new ScenarioException(s.At(key), $"no task named '{name}' exists at this step (spawn or fork it first)");
    }

    private string MapName(YamlMap s)
    {
        var name = s.RequiredString("map");
        return maps.Contains(name) ? name : throw new ScenarioException(s.At("map"), $"no mapping named '{name}' exists at this step (mmap it first, with as: {name})");
    }

    private string File(YamlMap s)
    {
        var path = FilePath(s, "file");
        return files.Contains(path) ? path : throw new ScenarioException(s.At("file"), $"{path} is not among the scenario's files");
    }

    private static FileOffset Offset(YamlMap s, string key) => new(s.Size(key)?.Value ?? 0);

    /// <summary>An offset or size inside a file: at most MAX_LFS_FILESIZE, as loff_t holds it.</summary>
    internal static FileOffset FilePosition(YamlMap s, string key)
    {
        var offset = Offset(s, key);
        return offset.Value <= ScenarioLimits.FileOffsetMax
            ? offset
            : throw new ScenarioException(s.At(key), $"0x{offset.Value:x} is past the largest file offset, 0x{ScenarioLimits.FileOffsetMax:x} (loff_t: MAX_LFS_FILESIZE)");
    }

    /// <summary>A byte count inside a file (a length, a size): at most MAX_LFS_FILESIZE.</summary>
    internal static ByteLength FileLength(YamlMap s, string key) => new(FilePosition(s, key).Value);

    private static string? Comm(YamlMap s) => s.String("comm");

    private static MceKillPolicy? EarlyKill(YamlMap s) => s.Choice("early-kill", "early", "late", "default") switch
    {
        "early" => MceKillPolicy.Early,
        "late" => MceKillPolicy.Late,
        "default" => MceKillPolicy.Default,
        _ => null,
    };

    private static SigbusAction? Sigbus(YamlMap s) => s.Choice("sigbus", "default", "handler", "ignore") switch
    {
        "default" => SigbusAction.Default,
        "handler" => SigbusAction.Handler,
        "ignore" => SigbusAction.Ignore,
        _ => null,
    };

    private void NeedFileSystem(SourceLocation at, string what)
    {
        if (fileSystem is null)
        {
            throw new ScenarioException(at, $"{what} needs a filesystem");
        }
    }
}
