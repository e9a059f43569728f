using DaxHolder.Abstractions;

namespace DaxHolder.Scenarios.Reports;

/// <summary>
/// What a step returned, typed: <see cref="Value"/> is what an expectation's <c>return:</c>
/// compares (a return code such as "0" or "-EIO", "done", what an access did such as "SIGBUS", or
/// "not run"); <see cref="Prefix"/> names the call when the step made several ("umount: "), and
/// <see cref="Detail"/> explains it (the errno's message, where the access stopped).
/// </summary>
internal readonly record struct StepResult(string Value, string Detail = "", string Prefix = "")
{
    /// <summary>Return code 0.</summary>
    public static StepResult Ok => Of(Errno.Ok);

    /// <summary>Every page of an access was done.</summary>
    public static StepResult Done => new("done");

    /// <summary>A call's return code.</summary>
    public static StepResult Of(Errno errno) => new(errno.ToKernelString());

    /// <summary>A call's return code with the message that came with it.</summary>
    public static StepResult Of(Errno errno, string? message) => new(errno.ToKernelString(), message is null ? "" : $" ({message})");

    /// <summary>A step that did not run, and why.</summary>
    public static StepResult NotRun(string why) => new("not run", $": {why}");

    /// <summary>The line as reports print it.</summary>
    public override string ToString() => Prefix + Value + Detail;
}
