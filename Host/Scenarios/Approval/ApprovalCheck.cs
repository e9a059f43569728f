using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;

namespace DaxHolder.Scenarios.Approval;

/// <summary>One scenario file checked against its approved decisions.</summary>
/// <param name="Scenario">The scenario file.</param>
/// <param name="ApprovedFile">Where its approved decisions live: <c>&lt;name&gt;.approved.txt</c> beside it.</param>
/// <param name="Received">The decisions of every cell of its matrix, as text.</param>
/// <param name="Approved">The approved text, or null when there is none yet.</param>
/// <param name="Runs">The runs, for their expectations.</param>
internal sealed record ApprovalResult(string Scenario, string ApprovedFile, string Received, string? Approved, IReadOnlyList<RunReport> Runs)
{
    public bool Matches => Approved == Received;

    public bool ExpectationsHeld => Runs.All(r => r.ExpectationsHeld);

    /// <summary>The unified diff of approved against received ("" when they match).</summary>
    public string Diff() => Matches ? "" : UnifiedDiff.Render(Approved ?? "", Received, Approved is null ? "/dev/null" : ApprovedFile, Scenario + " (received)");
}

/// <summary>
/// daxholder check: snapshot approval for users' own scenarios. Each scenario's decisions, over its
/// declared matrix, are compared with <c>&lt;name&gt;.approved.txt</c> beside it; accepting writes
/// them, and is refused on CI so that a changed decision is always a reviewed diff.
/// </summary>
internal static class ApprovalCheck
{
    public const string ApprovedSuffix = ".approved.txt";

    /// <summary>The scenario files named: files as given, directories searched recursively, in ordinal order.</summary>
    public static IReadOnlyList<string> FindScenarios(IEnumerable<string> paths)
    {
        var found = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                found.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(IsScenarioFile)
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                found.Add(path);
            }
            else
            {
                throw new ScenarioException(new SourceLocation(path, 0, 0, "(path)"), "no such file or directory");
            }
        }

        return found;
    }

    /// <summary>Where a scenario's approved decisions live.</summary>
    public static string ApprovedFileOf(string scenario) =>
        Path.Combine(Path.GetDirectoryName(scenario) ?? ".", Path.GetFileNameWithoutExtension(scenario) + ApprovedSuffix);

    public static ApprovalResult Check(string scenario, IReadOnlyList<RunReport> runs)
    {
        var approvedFile = ApprovedFileOf(scenario);
        var approved = File.Exists(approvedFile) ? File.ReadAllText(approvedFile).ReplaceLineEndings("\n") : null;
        return new ApprovalResult(scenario, approvedFile, TextReport.Render(runs), approved, runs);
    }

    /// <summary>Whether accepting is refused here: CI=true (or 1) in the environment.</summary>
    public static bool RefusesAccept(string? ciVariable) =>
        ciVariable is { } ci && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    /// <summary>Writes the received decisions as approved (only once every scenario ran, so nothing is half written).</summary>
    public static void Accept(ApprovalResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        File.WriteAllText(result.ApprovedFile, result.Received);
    }

    private static bool IsScenarioFile(string file) =>
        (file.EndsWith(".yaml", StringComparison.Ordinal) || file.EndsWith(".yml", StringComparison.Ordinal))
        && !Path.GetFileName(file).StartsWith('.');
}
