namespace DaxHolder.Scenarios.Language;

/// <summary>Where in a scenario something is: file, 1-based line and column, and the field's path.</summary>
internal sealed record SourceLocation(string File, int Line, int Column, string Field)
{
    /// <summary>"file.yaml:12:5: steps[3].mmap.length".</summary>
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {Field}" : $"{File}: {Field}";
}

/// <summary>
/// A scenario that cannot run as written: one clear error naming the file, line, column and field,
/// and why. The CLI prints it and exits with exit code 2 (bad input).
/// </summary>
internal sealed class ScenarioException : Exception
{
    public ScenarioException(SourceLocation where, string problem)
        : base($"{where}: {problem}")
    {
        Where = where;
        Problem = problem;
    }

    public ScenarioException()
        : this(new SourceLocation("?", 0, 0, "?"), "invalid scenario")
    {
    }

    public ScenarioException(string message)
        : this(new SourceLocation("?", 0, 0, "?"), message)
    {
    }

    public ScenarioException(string message, Exception inner)
        : base(message, inner)
    {
        Where = new SourceLocation("?", 0, 0, "?");
        Problem = message;
    }

    public SourceLocation Where { get; }

    public string Problem { get; }
}
