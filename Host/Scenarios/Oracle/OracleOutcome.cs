using DaxHolder.Scenarios.Language;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// What one scenario cell did, step by step, in terms both the real kernel and the model can be
/// read into: the step's return value, the signals each task's SIGBUS handler saw (signal,
/// si_code, si_addr_lsb, and si_addr as the mapping's name and offset), task exits, and the
/// kernel log. Everything else (action results, shutdown, health, memory-failure lines) is read
/// from the log the same way on both sides.
/// </summary>
internal sealed record CellOutcome(
    string Scenario,
    string Kernel,
    string Release,
    IReadOnlyList<ScenarioSetting> Cell,
    IReadOnlyList<StepOutcome> Steps)
{
    /// <summary>What the guest and host printed besides results: set-up (namespace, mkfs, mount, files), then "step N: ..." (mounts, monitor commands) and the final check.</summary>
    public IReadOnlyList<string> Setup { get; init; } = [];

    /// <summary>Problems with the run itself (a timeout, a step that printed nothing), empty when it ran through.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Each task's pid (real or the scenario's), for reading "comm:pid" in log lines.</summary>
    public IReadOnlyDictionary<string, int> Pids { get; init; } = new Dictionary<string, int>();

    /// <summary>The wall time of the boot in seconds (0 for the model).</summary>
    public double Seconds { get; init; }

    public string CellName => string.Join(' ', Cell.Select(s => s.ToString()));
}

/// <summary>One step's outcome; <paramref name="Number"/> 0 is set-up.</summary>
internal sealed record StepOutcome(
    int Number,
    string Kind,
    string? Result,
    IReadOnlyList<SignalSeen> Signals,
    IReadOnlyList<TaskExit> Exits,
    IReadOnlyList<string> Log)
{
    /// <summary>The action_result lines of the step: "dax page: Recovered" (mm/memory-failure.c: action_result()).</summary>
    public IReadOnlyList<string> ActionResults => KernelLog.ActionResults(Log);

    /// <summary>Whether the step's log says the filesystem shut down.</summary>
    public bool Shutdown => KernelLog.Shutdown(Log);

    /// <summary>clean, warning, oops or panic, from the step's log.</summary>
    public string Health => KernelLog.Health(Log);
}

/// <summary>A signal a task's handler ran for (or that killed it), with the address as mapping + offset.</summary>
internal sealed record SignalSeen(string Task, string Signal, string Code, int Lsb, string Map, ulong Offset)
{
    public override string ToString() => $"{Task}: {Signal} {Code} lsb {Lsb} at {Map}+0x{Offset:x}";
}

/// <summary>A task that ended during the step: "exited 0", "killed by SIGBUS", "killed by SIGKILL".</summary>
internal sealed record TaskExit(string Task, string How)
{
    public override string ToString() => $"{Task} {How}";
}
