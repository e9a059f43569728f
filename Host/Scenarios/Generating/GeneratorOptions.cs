using System.Globalization;
using DaxHolder.Kernel.Versions;
using DaxHolder.Scenarios.Language;

namespace DaxHolder.Scenarios.Generating;

/// <summary>The event a generated scenario ends with.</summary>
internal enum GeneratedEvent
{
    /// <summary>No event: the machine only.</summary>
    None,

    /// <summary>An asynchronous machine check on the first faulted page (memory_failure through the holder).</summary>
    Poison,

    /// <summary>Device unbind: on 6.12 a whole-device pre-remove notification (drivers/dax/super.c: kill_dax()).</summary>
    Unbind,
}

/// <summary>
/// The shape of a generated machine: files with fragmented extents, reflink copies among them,
/// processes mapping files and faulting part of their pages, the early-kill policy, a seed.
/// </summary>
/// <param name="Files">Files on the filesystem (sources and reflink copies together).</param>
/// <param name="ExtentsPerFile">Written extents per file; each is followed by a hole, so none merge (one rmap record each).</param>
/// <param name="BlocksPerExtent">4 KiB blocks per extent.</param>
/// <param name="SharingRatio">The fraction of files that are reflink copies (FICLONE) of another file: their records share its blocks.</param>
/// <param name="Processes">Processes (spawned, each with its own mm).</param>
/// <param name="MappingsPerProcess">MAP_SHARED mappings of a whole file per process, the file chosen by the seed.</param>
/// <param name="FaultedFraction">The fraction of each mapping's data pages faulted in (each page chosen by the seed).</param>
/// <param name="EarlyKillFraction">The fraction of processes with prctl(PR_MCE_KILL_EARLY).</param>
/// <param name="Seed">The seed: the same options give the same scenario, byte for byte.</param>
/// <param name="Kernel">The kernel profile.</param>
/// <param name="Event">The event the scenario ends with.</param>
internal sealed record GeneratorOptions(
    int Files = 100,
    int ExtentsPerFile = 10,
    int BlocksPerExtent = 1,
    double SharingRatio = 0.1,
    int Processes = 10,
    int MappingsPerProcess = 10,
    double FaultedFraction = 0.5,
    double EarlyKillFraction = 0.1,
    ulong Seed = 1,
    string Kernel = "6.12",
    GeneratedEvent Event = GeneratedEvent.Poison)
{
    /// <summary>The kernel version profiles a generated scenario can name.</summary>
    public static IReadOnlyList<string> Kernels => [.. KernelProfiles.All.Select(p => p.Name)];

    /// <summary>The largest counts the generator accepts (pids and block numbers stay in range).</summary>
    public const int MaxFiles = 10_000_000;

    /// <summary>At most this many processes (pids from 1000 on).</summary>
    public const int MaxProcesses = 1_000_000;

    /// <summary>What is wrong with these options, naming the option, or null when they are usable.</summary>
    public string? Problem()
    {
        if (Files is < 1 or > MaxFiles)
        {
            return $"--files must be between 1 and {MaxFiles.ToString(CultureInfo.InvariantCulture)}";
        }

        if (ExtentsPerFile is < 1 or > 100_000)
        {
            return "--extents must be between 1 and 100000";
        }

        if (BlocksPerExtent is < 1 or > 65_536)
        {
            return "--extent-blocks must be between 1 and 65536";
        }

        if (Processes is < 0 or > MaxProcesses)
        {
            return $"--processes must be between 0 and {MaxProcesses.ToString(CultureInfo.InvariantCulture)}";
        }

        if (MappingsPerProcess is < 0 or > 10_000)
        {
            return "--mappings must be between 0 and 10000";
        }

        foreach (var (name, value) in new[] { ("--sharing", SharingRatio), ("--faulted", FaultedFraction), ("--early-kill", EarlyKillFraction) })
        {
            if (double.IsNaN(value) || value is < 0 or > 1)
            {
                return $"{name} is a fraction between 0 and 1";
            }
        }

        if (Files == 1 && SharingRatio > 0)
        {
            return "--sharing needs at least two files (a copy needs a source)";
        }

        return null;
    }

    /// <summary>
    /// Whether the scenario could break a limit `daxholder run` holds every scenario to
    /// (<see cref="ScenarioLimits"/>; scenarios/README.md, "Limits"), counted before anything is
    /// generated: files, tasks, mappings, and the most steps the options can give (a spawn per
    /// process, an mmap per mapping, and at most one touch per two blocks of each extent). The
    /// generator itself builds larger machines in memory (the benchmarks' reference machine).
    /// </summary>
    public string? LimitProblem()
    {
        const string Why = ", the most daxholder run reads (scenarios/README.md, Limits)";
        if (Files > ScenarioLimits.Files)
        {
            return $"--files {Files.ToString(CultureInfo.InvariantCulture)}: a scenario holds at most {ScenarioLimits.Count(ScenarioLimits.Files)} files{Why}";
        }

        if (Processes > ScenarioLimits.Tasks)
        {
            return $"--processes {Processes.ToString(CultureInfo.InvariantCulture)}: a scenario holds at most {ScenarioLimits.Count(ScenarioLimits.Tasks)} tasks{Why}";
        }

        var mappings = (long)Processes * MappingsPerProcess;
        if (mappings > ScenarioLimits.Mappings)
        {
            return $"--processes x --mappings = {ScenarioLimits.Count(mappings)}: a scenario holds at most {ScenarioLimits.Count(ScenarioLimits.Mappings)} mappings{Why}";
        }

        var touches = FaultedFraction == 0 ? 0 : (long)ExtentsPerFile * ((BlocksPerExtent + 1) / 2);
        var steps = Processes + (mappings * (1 + touches)) + 1;
        if (steps > ScenarioLimits.Steps)
        {
            return $"up to {ScenarioLimits.Count(steps)} steps (a spawn per process, an mmap per mapping, up to {ScenarioLimits.Count(touches)} touches per mapping): a scenario holds at most {ScenarioLimits.Count(ScenarioLimits.Steps)} steps{Why}";
        }

        return null;
    }
}
