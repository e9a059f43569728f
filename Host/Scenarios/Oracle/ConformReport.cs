using System.Text;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// What <c>daxholder conform</c> prints: per kernel "6.12: agree N/M (K cases)", then each case's
/// differences from the model, each with its known gap's reason when one covers it, and how many
/// differences no gap explains (a run problem or an unlisted difference counts, unless a gap that
/// names no step lists it).
/// </summary>
internal sealed record ConformReport(string Text, int Unexplained)
{
    /// <summary>The report of <paramref name="cases"/> against <paramref name="gaps"/>, in the order the cases were checked.</summary>
    public static ConformReport Build(IReadOnlyList<ConformCase> cases, IReadOnlyList<KnownGap> gaps, string gapsFile)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(gaps);
        var text = new StringBuilder();
        var unexplained = 0;
        foreach (var kernel in cases.GroupBy(c => c.Kernel))
        {
            var compared = kernel.Where(c => c.Comparison is not null).ToList();
            Line(text, compared.Count == 0
                ? $"{kernel.Key}: nothing compared ({kernel.Count()} cases)"
                : $"{kernel.Key}: agree {compared.Sum(c => c.Comparison!.Agreed)}/{compared.Sum(c => c.Comparison!.Compared)} ({kernel.Count()} cases)");
            foreach (var c in kernel)
            {
                var name = Path.GetFileName(c.RecordFile);
                if (c.Error is not null)
                {
                    Line(text, $"  {name}: not compared: {c.Error}");
                    unexplained += c.ErrorFails ? 1 : 0;
                    continue;
                }

                var problemGap = gaps.FirstOrDefault(g => g.CoversProblem(kernel.Key, c.Real));
                foreach (var problem in c.Real.Problems)
                {
                    Line(text, $"  {name}: the recorded run had a problem: {problem}{(problemGap is null ? "" : $" (known gap: {problemGap.Reason})")}");
                    unexplained += problemGap is null ? 1 : 0;
                }

                foreach (var d in c.Comparison!.Differences)
                {
                    var gap = gaps.FirstOrDefault(g => g.Covers(kernel.Key, c.Real, d));
                    Line(text, $"  {name}: {d}{(gap is null ? "" : $" (known gap: {gap.Reason})")}");
                    unexplained += gap is null ? 1 : 0;
                }
            }
        }

        if (unexplained > 0)
        {
            Line(text, $"{unexplained} difference(s) not listed in {gapsFile}");
        }

        return new ConformReport(text.ToString(), unexplained);
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}
