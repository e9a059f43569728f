using DaxHolder.Cli;
using DaxHolder.Scenarios.Comparing;
using DaxHolder.Tests.Support;
using Spectre.Console;

namespace DaxHolder.Tests.Cli;

/// <summary>compare's text fits the width it is given: side by side when the table fits, one cell under another when not.</summary>
public sealed class CompareLayoutTests
{
    private static readonly string Demo = Path.Combine(ScenarioHarness.ScenariosDirectory, "demo.yaml");

    private static readonly Lazy<Comparison> DemoComparison = new(() =>
        Comparison.Of(ScenarioHarness.RunFile(Demo, [new("filesystem.mkfs.reflink", "1")]) is var one
            ? [one, ScenarioHarness.RunFile(Demo, [new("filesystem.mkfs.reflink", "0")])]
            : []));

    [Fact]
    public void Layout_IsStackedWhenNarrow_AndSideBySideWhenTheTableFits()
    {
        var comparison = DemoComparison.Value;
        var needed = ComparisonLayout.SideBySideWidth(comparison);

        ComparisonLayout.For(comparison, 60).ShouldBe(ComparisonLayoutKind.Stacked);
        ComparisonLayout.For(comparison, needed - 1).ShouldBe(ComparisonLayoutKind.Stacked);
        ComparisonLayout.For(comparison, needed).ShouldBe(ComparisonLayoutKind.SideBySide);
    }

    [Fact]
    public void SideBySideWidth_IsTheWidthTheTableRendersAt()
    {
        var comparison = DemoComparison.Value;
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 1000;
        var table = new Table().Border(TableBorder.Simple).AddColumn("step");
        foreach (var cell in comparison.Cells)
        {
            table.AddColumn(Markup.Escape(cell));
        }

        foreach (var row in comparison.Differences)
        {
            table.AddRow([Markup.Escape(row.Label), .. row.PerCell.Select(text => Markup.Escape(text.TrimEnd('\n')))]);
        }

        console.Write(table);

        output.ToString().Split('\n').Max(line => line.TrimEnd().Length).ShouldBeInRange(ComparisonLayout.SideBySideWidth(comparison) - ComparisonLayout.ColumnOverhead, ComparisonLayout.SideBySideWidth(comparison));
    }

    [Fact]
    public void Compare_WithANarrowWidth_PrintsOneCellUnderAnother_WithinTheWidth()
    {
        var (exit, output, _) = CliRun.Run("compare", Demo, "--vary", "filesystem.mkfs.reflink=1,0", "--width", "60");

        exit.ShouldBe(ExitCodes.Ok);
        output.ShouldContain("(the cells do not fit side by side in 60 columns: one under another)");
        output.ShouldContain("-- filesystem.mkfs.reflink=1 --\n");
        output.ShouldContain("-- filesystem.mkfs.reflink=0 --\n");
        output.ShouldContain("== event ");
        output.IndexOf("-- filesystem.mkfs.reflink=1 --", StringComparison.Ordinal).ShouldBeLessThan(output.IndexOf("-- filesystem.mkfs.reflink=0 --", StringComparison.Ordinal));
    }

    [Fact]
    public void Compare_WithAWideWidth_IsATableWithinThatWidth()
    {
        var needed = ComparisonLayout.SideBySideWidth(DemoComparison.Value);

        var (exit, output, _) = CliRun.Run("compare", Demo, "--vary", "filesystem.mkfs.reflink=1,0", "--width", needed.ToString(System.Globalization.CultureInfo.InvariantCulture));

        exit.ShouldBe(ExitCodes.Ok);
        output.ShouldNotContain("one under another");
        output.ShouldNotContain("-- filesystem.mkfs.reflink=1 --");
        output.Split('\n').Max(line => line.Length).ShouldBeLessThanOrEqualTo(needed);
    }

    [Fact]
    public void Compare_NotOnATerminal_DefaultsTo120Columns()
    {
        var comparison = DemoComparison.Value;
        var (_, output, _) = CliRun.Run("compare", Demo, "--vary", "filesystem.mkfs.reflink=1,0");

        var stacked = ComparisonLayout.For(comparison, ComparisonLayout.DefaultWidth) == ComparisonLayoutKind.Stacked;
        output.Contains("one under another", StringComparison.Ordinal).ShouldBe(stacked);
        output.Split('\n').Max(line => line.Length).ShouldBeLessThanOrEqualTo(stacked ? int.MaxValue : ComparisonLayout.DefaultWidth);
    }

    [Fact]
    public void Compare_RefusesAWidthTooNarrowToPrintAnything()
    {
        var (exit, _, error) = CliRun.Run("compare", Demo, "--vary", "filesystem.mkfs.reflink=1,0", "--width", "5");

        exit.ShouldBe(ExitCodes.BadInput);
        error.ShouldContain("--width must be between 20 and 10000 columns");
    }
}
