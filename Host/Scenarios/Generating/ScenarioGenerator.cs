using System.Globalization;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Versions;
using DaxHolder.Scenarios.Language;

namespace DaxHolder.Scenarios.Generating;

/// <summary>A file page some mapping faulted in: a poison target that has mappers.</summary>
internal sealed record FaultedPage(string File, FileOffset Offset);

/// <summary>A generated scenario and the pages its steps fault in (first-touch order, each once).</summary>
internal sealed record GeneratedScenario(Scenario Scenario, IReadOnlyList<FaultedPage> FaultedPages);

/// <summary>
/// <c>daxholder generate</c>'s logic: a machine-sized scenario from <see cref="GeneratorOptions"/>,
/// deterministic for a seed. XFS with reflink and rmapbt mounted dax=always (so notify_failure
/// runs); files spread over directories of at most 1000; each source file written in its
/// extents (one rmap record each), each copy a FICLONE of a source; processes spawned in pid
/// order, each mapping whole files MAP_SHARED and reading a fraction of their data pages.
/// </summary>
internal static class ScenarioGenerator
{
    /// <summary>The first pid; the kworker is pid 2.</summary>
    public const int FirstPid = 1000;

    private const int FilesPerDirectory = 1000;

    public static GeneratedScenario Generate(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var kernel = KernelProfiles.Find(options.Kernel) ?? throw new ArgumentException($"no kernel profile '{options.Kernel}' (known: {string.Join(", ", KernelProfiles.All.Select(p => p.Name))})", nameof(options));
        var rng = new SplitMix64(options.Seed);
        var name = $"generated-{options.Files}f-{options.ExtentsPerFile}e-{options.Processes}p-seed{options.Seed}";
        var at = new SourceLocation(name, 0, 0, "");
        var extentBytes = (ulong)options.BlocksPerExtent * PageGeometry.PageSize;
        var fileSize = new ByteLength(2UL * (ulong)options.ExtentsPerFile * extentBytes);

        var copies = (int)Math.Round(options.SharingRatio * options.Files, MidpointRounding.ToEven);
        var sources = options.Files - copies;
        var files = new List<FileSpec>(options.Files);
        for (var i = 0; i < options.Files; i++)
        {
            var cloneOf = i < sources ? null : files[rng.Below(sources)].Path;
            files.Add(new FileSpec(PathOf(i), cloneOf is null ? fileSize : new ByteLength(0), FileContents.Data, null,
                cloneOf is null ? options.ExtentsPerFile : 1, cloneOf, [], at));
        }

        var steps = new List<Step>();
        var faulted = new List<FaultedPage>();
        var seen = new HashSet<FaultedPage>();
        for (var p = 0; p < options.Processes; p++)
        {
            var task = $"p{p}";
            var early = rng.Chance(options.EarlyKillFraction) ? MceKillPolicy.Early : (MceKillPolicy?)null;
            steps.Add(new SpawnStep(at, [], task, "daxgen", FirstPid + p, early, SigbusAction.Handler, []));
            for (var m = 0; m < options.MappingsPerProcess; m++)
            {
                var file = files[rng.Below(files.Count)].Path;
                var map = $"{task}m{m}";
                steps.Add(new MmapStep(at, [], task, map, file, default, fileSize, Shared: true, Pmd: false, Address: null));
                for (var e = 0; e < options.ExtentsPerFile; e++)
                {
                    var extentStart = 2UL * (ulong)e * extentBytes;
                    var run = -1;
                    for (var b = 0; b <= options.BlocksPerExtent; b++)
                    {
                        var touch = b < options.BlocksPerExtent && rng.Chance(options.FaultedFraction);
                        if (touch && run < 0)
                        {
                            run = b;
                        }
                        else if (!touch && run >= 0)
                        {
                            var offset = new FileOffset(extentStart + ((ulong)run * PageGeometry.PageSize));
                            steps.Add(new TouchStep(at, [], task, map, offset, new ByteLength((ulong)(b - run) * PageGeometry.PageSize), Write: false));
                            for (var page = run; page < b; page++)
                            {
                                var fp = new FaultedPage(file, new FileOffset(extentStart + ((ulong)page * PageGeometry.PageSize)));
                                if (seen.Add(fp))
                                {
                                    faulted.Add(fp);
                                }
                            }

                            run = -1;
                        }
                    }
                }
            }
        }

        switch (options.Event)
        {
            case GeneratedEvent.Poison when faulted.Count > 0:
                steps.Add(new PoisonStep(at, [], MachineCheck: true, new PoisonTarget(faulted[0].File, faulted[0].Offset, null, null, null, at), null));
                break;
            case GeneratedEvent.Unbind:
                steps.Add(new UnbindStep(at, [], null));
                break;
        }

        var description = string.Create(CultureInfo.InvariantCulture,
            $"daxholder generate --files {options.Files} --extents {options.ExtentsPerFile} --extent-blocks {options.BlocksPerExtent} --sharing {options.SharingRatio} " +
            $"--processes {options.Processes} --mappings {options.MappingsPerProcess} --faulted {options.FaultedFraction} --early-kill {options.EarlyKillFraction} " +
            $"--seed {options.Seed} --kernel {options.Kernel} --event {options.Event.ToString().ToLowerInvariant()}");
        var device = new DeviceSpec(DeviceSize(options, sources), DeviceMode.Fsdax, new ByteLength(PageGeometry.PmdSize), MemmapLocation.Ram, PageGeometry.PmdSize, 0x1_0000_0000);
        var fs = new FileSystemSpec("xfs", FsOptions.Parse("reflink=1,rmapbt=1"), FsOptions.Parse("dax=always"), at, at);
        var scenario = new Scenario(name, description, name, kernel, new SysctlSettings(0, 1), device, fs, files, steps);
        return new GeneratedScenario(scenario, faulted);
    }

    /// <summary>File <paramref name="i"/>'s path: /dNNN/fNNNNNNN, 1000 files to a directory.</summary>
    public static string PathOf(int i) =>
        string.Create(CultureInfo.InvariantCulture, $"/d{i / FilesPerDirectory:D4}/f{i:D7}");

    /// <summary>
    /// A namespace that holds the data with room to spare: the source files' blocks, an inode
    /// chunk per 64 files, bmbt leaves for files past 21 extents, a quarter more for the
    /// allocator, plus the log (at least 64 MiB) and the AG headers; whole GiBs, at least one.
    /// </summary>
    private static ByteLength DeviceSize(GeneratorOptions options, int sources)
    {
        var data = (ulong)sources * (ulong)options.ExtentsPerFile * (ulong)options.BlocksPerExtent;
        var bmbt = options.ExtentsPerFile > 21 ? (ulong)options.Files * (ulong)((options.ExtentsPerFile + 250) / 251) : 0;
        var inodes = (((ulong)options.Files / 64) + 1 + ((ulong)options.Files / FilesPerDirectory) + 1) * 8;
        var bytes = (data + bmbt + inodes) * PageGeometry.PageSize;
        bytes += (bytes / 4) + (256UL << 20);
        bytes += bytes / 2048;
        const ulong GiB = 1UL << 30;
        return new ByteLength(Math.Max(GiB, (bytes + GiB - 1) / GiB * GiB));
    }
}
