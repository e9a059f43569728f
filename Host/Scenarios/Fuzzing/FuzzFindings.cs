using System.Text;

namespace DaxHolder.Scenarios.Fuzzing;

/// <summary>
/// Writes a finding as two files in the findings folder: <c>NNNNNN-&lt;source&gt;.yaml</c> (the
/// mutant, as it was run) and <c>NNNNNN-&lt;source&gt;.txt</c> (source, mutation, cell and what went wrong).
/// </summary>
internal static class FuzzFindings
{
    /// <summary>Saves <paramref name="finding"/> under <paramref name="folder"/> (created if needed) and returns the YAML file's path.</summary>
    public static string Save(string folder, FuzzFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        Directory.CreateDirectory(folder);
        var stem = Path.Combine(folder, $"{finding.Number:D6}-{Path.GetFileNameWithoutExtension(finding.Source)}");
        var utf8 = new UTF8Encoding(false);
        File.WriteAllText(stem + ".yaml", finding.Yaml, utf8);
        File.WriteAllText(stem + ".txt", $"source: {finding.Source}\nmutation: {finding.Mutation}\ncell: {finding.Cell}\n\n{finding.Problem}\n", utf8);
        return stem + ".yaml";
    }
}

/// <summary>The scenarios a fuzz run mutates: every scenario file under the given paths, in path order.</summary>
internal static class FuzzSources
{
    /// <summary>(file, text) of each scenario under <paramref name="paths"/>; an unreadable path is a located error.</summary>
    public static IReadOnlyList<(string File, string Text)> Find(IEnumerable<string> paths)
    {
        var files = Approval.ApprovalCheck.FindScenarios(paths);
        var sources = new List<(string, string)>();
        foreach (var file in files)
        {
            try
            {
                sources.Add((file, File.ReadAllText(file)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new Language.ScenarioException(new Language.SourceLocation(file, 0, 0, "(file)"), $"cannot read: {e.Message}");
            }
        }

        return sources;
    }
}
