using System.Globalization;
using System.Text;
using DiffPlex;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace DaxHolder.Scenarios.Approval;

/// <summary>
/// A unified diff (diff -u, three lines of context) of approved against received text; the line
/// matching is DiffPlex's, the hunk layout is diff's.
/// </summary>
internal static class UnifiedDiff
{
    private const int Context = 3;

    public static string Render(string approved, string received, string approvedName, string receivedName)
    {
        var model = new InlineDiffBuilder(new Differ()).BuildDiffModel(approved, received, ignoreWhitespace: false);
        var lines = model.Lines.Where(l => l.Type != ChangeType.Imaginary).ToList();
        var text = new StringBuilder();
        text.Append("--- ").Append(approvedName).Append('\n');
        text.Append("+++ ").Append(receivedName).Append('\n');
        var changed = lines.Select((l, i) => (l, i)).Where(x => x.l.Type != ChangeType.Unchanged).Select(x => x.i).ToList();
        var h = 0;
        while (h < changed.Count)
        {
            var start = Math.Max(0, changed[h] - Context);
            var end = Math.Min(lines.Count, changed[h] + Context + 1);
            while (h + 1 < changed.Count && changed[h + 1] - Context <= end)
            {
                h++;
                end = Math.Min(lines.Count, changed[h] + Context + 1);
            }

            Hunk(text, lines, start, end);
            h++;
        }

        return text.ToString();
    }

    private static void Hunk(StringBuilder text, List<DiffPiece> lines, int start, int end)
    {
        int oldStart = 1 + lines.Take(start).Count(l => l.Type != ChangeType.Inserted), newStart = 1 + lines.Take(start).Count(l => l.Type != ChangeType.Deleted);
        var hunk = lines.Skip(start).Take(end - start).ToList();
        var oldCount = hunk.Count(l => l.Type != ChangeType.Inserted);
        var newCount = hunk.Count(l => l.Type != ChangeType.Deleted);
        text.Append(CultureInfo.InvariantCulture, $"@@ -{(oldCount == 0 ? oldStart - 1 : oldStart)},{oldCount} +{(newCount == 0 ? newStart - 1 : newStart)},{newCount} @@\n");
        foreach (var line in hunk)
        {
            text.Append(line.Type switch { ChangeType.Inserted => '+', ChangeType.Deleted => '-', _ => ' ' }).Append(line.Text).Append('\n');
        }
    }
}
