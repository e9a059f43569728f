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
                try
                {
                    found.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                        .Where(IsScenarioFile)
                        .Order(StringComparer.Ordinal));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new ScenarioException(new SourceLocation(path, 0, 0, "(directory)"), $"cannot be read: {e.Message}");
                }
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

    /// <summary>
    /// Writes the received decisions as approved, all or none: each goes to a temporary file beside
    /// its approved file first; only when every one was written are they renamed into place. A
    /// write that fails (a read-only folder, a full disk) removes the temporary files and leaves
    /// every approved file as it was; the error names the path.
    /// </summary>
    public static void AcceptAll(IReadOnlyList<ApprovalResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var staged = new List<(string Temporary, string Approved)>();
        try
        {
            foreach (var result in results)
            {
                var temporary = result.ApprovedFile + ".daxholder-tmp";
                staged.Add((temporary, result.ApprovedFile));
                if (Directory.Exists(result.ApprovedFile))
                {
                    throw new IOException("a directory is in its place");
                }

                File.WriteAllText(temporary, result.Received);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            staged.ForEach(s => File.Delete(s.Temporary)); // File.Delete of a file that is not there does nothing
            throw new IOException($"check --accept wrote no approved file: {staged[^1].Approved}: {e.Message}", e);
        }

        foreach (var (temporary, approved) in staged)
        {
            File.Move(temporary, approved, overwrite: true);
        }
    }

    private static bool IsScenarioFile(string file) =>
        (file.EndsWith(".yaml", StringComparison.Ordinal) || file.EndsWith(".yml", StringComparison.Ordinal))
        && !Path.GetFileName(file).StartsWith('.');
}
