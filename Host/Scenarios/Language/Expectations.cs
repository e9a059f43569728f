namespace DaxHolder.Scenarios.Language;

/// <summary>
/// A step's inline expectations: the checks that make a scenario self-checking. A block with a
/// <c>when</c> applies only in the matrix cells whose values match (resolved when the cell is bound).
/// </summary>
internal sealed record ExpectationBlock(IReadOnlyList<Expectation> Checks, SourceLocation At);

/// <summary>One check of what a step decided.</summary>
internal abstract record Expectation(SourceLocation At)
{
    /// <summary>The check as a report states it.</summary>
    public abstract string Describe();
}

/// <summary>The step's return value ("0", "-EIO"; madvise's return, or memory_failure's for injections).</summary>
internal sealed record ReturnExpectation(string Value, SourceLocation At) : Expectation(At)
{
    public override string Describe() => $"returns {Value}";
}

/// <summary>Every action_result of the step is this (Recovered, Failed, Ignored, Delayed).</summary>
internal sealed record ActionResultExpectation(string Result, SourceLocation At) : Expectation(At)
{
    public override string Describe() => $"action_result {Result}";
}

/// <summary>At least one signal sent to the task matching every given field.</summary>
internal sealed record SignalExpectation(string Task, string? Signal, string? Code, int? Lsb, bool? Forced, SourceLocation At) : Expectation(At)
{
    public override string Describe() =>
        $"{string.Join(' ', new[] { Signal, Code }.Where(p => p is not null).DefaultIfEmpty("a signal"))}{(Lsb is null ? "" : $" lsb {Lsb}")}{(Forced is null ? "" : Forced.Value ? " forced" : " not forced")} to {Task}";
}

/// <summary>No signal at all sent to the task.</summary>
internal sealed record NoSignalExpectation(string Task, SourceLocation At) : Expectation(At)
{
    public override string Describe() => $"no signal to {Task}";
}

/// <summary>Exactly this many signals delivered to the task (handler runs, or the fatal one).</summary>
internal sealed record DeliveredExpectation(string Task, int Count, SourceLocation At) : Expectation(At)
{
    public override string Describe() => $"{Count} signal{(Count == 1 ? "" : "s")} delivered to {Task}";
}

/// <summary>A kernel log line containing the text is (or is not) printed during the step.</summary>
internal sealed record LogExpectation(string Text, bool Present, SourceLocation At) : Expectation(At)
{
    public override string Describe() => Present ? $"log has \"{Text}\"" : $"log lacks \"{Text}\"";
}

/// <summary>The filesystem is (or is not) shut down after the step.</summary>
internal sealed record ShutdownExpectation(bool ShutDown, SourceLocation At) : Expectation(At)
{
    public override string Describe() => ShutDown ? "filesystem shut down" : "filesystem not shut down";
}

/// <summary>The task's process has (or has not) exited after the step.</summary>
internal sealed record ExitedExpectation(string Task, bool Exited, SourceLocation At) : Expectation(At)
{
    public override string Describe() => Exited ? $"{Task} exited" : $"{Task} alive";
}

/// <summary>The kernel's health after the step: clean (no WARN, Oops or panic during it), warning, oops or panic.</summary>
internal sealed record HealthExpectation(string Health, SourceLocation At) : Expectation(At)
{
    public override string Describe() => $"kernel health {Health}";
}
