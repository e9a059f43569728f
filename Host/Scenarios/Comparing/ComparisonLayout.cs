using System.Text;

namespace DaxHolder.Scenarios.Comparing;

/// <summary>How <c>compare</c> lays the differing rows out: a table with a column per cell, or one cell under another.</summary>
internal enum ComparisonLayoutKind
{
    /// <summary>A table: the row's label, then a column per cell.</summary>
    SideBySide,

    /// <summary>Each differing row, then each cell's text of it under the cell's name.</summary>
    Stacked,
}

/// <summary>
/// The layout decision of <c>compare</c>'s text output: side by side when the table fits the width
/// without wrapping a line, else stacked; and the stacked rendering, plain text.
/// </summary>
internal static class ComparisonLayout
{
    /// <summary>The width when output is not a terminal and no --width is given.</summary>
    public const int DefaultWidth = 120;

    /// <summary>What a column adds to its widest line in a table with a simple border: a space either side and a separator.</summary>
    public const int ColumnOverhead = 3;

    /// <summary>The layout for <paramref name="width"/> columns.</summary>
    public static ComparisonLayoutKind For(Comparison comparison, int width) =>
        SideBySideWidth(comparison) <= width ? ComparisonLayoutKind.SideBySide : ComparisonLayoutKind.Stacked;

    /// <summary>
    /// The columns the side-by-side table needs without wrapping: for the label column and each
    /// cell's column, its widest line (header included) plus <see cref="ColumnOverhead"/>, and one
    /// more for the table's outer edge.
    /// </summary>
    public static int SideBySideWidth(Comparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var differences = comparison.Differences.ToList();
        var label = Math.Max("step".Length, differences.Select(r => Widest(r.Label)).DefaultIfEmpty(0).Max());
        var cells = comparison.Cells.Select((cell, i) => Math.Max(Widest(cell), differences.Select(r => Widest(r.PerCell[i].TrimEnd('\n'))).DefaultIfEmpty(0).Max()));
        return label + cells.Sum() + (ColumnOverhead * (comparison.Cells.Count + 1)) + 1;
    }

    /// <summary>
    /// The differing rows one cell under another: "== label ==", then for each cell "-- cell --"
    /// and its text of the row as the text report prints it; a blank line between rows.
    /// </summary>
    public static string Stacked(Comparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var text = new StringBuilder();
        foreach (var row in comparison.Differences)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append("== ").Append(row.Label).Append(" ==\n");
            for (var i = 0; i < comparison.Cells.Count; i++)
            {
                text.Append("-- ").Append(comparison.Cells[i]).Append(" --\n");
                text.Append(row.PerCell[i].TrimEnd('\n')).Append('\n');
            }
        }

        return text.ToString();
    }

    private static int Widest(string text) => text.Split('\n').Max(line => line.Length);
}
