using DaxHolder.Cli;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Cli;

public class CliTests
{
    [Theory]
    [InlineData("root", new[] { "--help" })]
    [InlineData("plugins", new[] { "plugins", "--help" })]
    [InlineData("run", new[] { "run", "--help" })]
    [InlineData("check", new[] { "check", "--help" })]
    [InlineData("compare", new[] { "compare", "--help" })]
    [InlineData("demo", new[] { "demo", "--help" })]
    [InlineData("generate", new[] { "generate", "--help" })]
    [InlineData("oracle-run", new[] { "oracle", "run", "--help" })]
    [InlineData("oracle-record", new[] { "oracle", "record", "--help" })]
    [InlineData("conform", new[] { "conform", "--help" })]
    [InlineData("fuzz", new[] { "fuzz", "--help" })]
    public void Help_MatchesApproved(string name, string[] args)
    {
        var (exit, output, error) = CliRun.Run(args);

        exit.ShouldBe(ExitCodes.Ok);
        error.ShouldBeEmpty();
        output.ShouldMatchApprovedText(name);
    }

    [Fact]
    public void Version_PrintsDaxHoldersVersion()
    {
        var (exit, output, _) = CliRun.Run("--version");

        exit.ShouldBe(ExitCodes.Ok);
        output.Trim().ShouldBe(DaxHolderCli.Version);
        DaxHolderCli.Version.ShouldNotContain("+", customMessage: "no build metadata: output must not change with every commit");
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "Unrecognized command or argument '--bogus'")]
    [InlineData(new[] { "plugins", "--nope" }, "Unrecognized command or argument '--nope'")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    [InlineData(new string[0], "Required command was not provided")]
    [InlineData(new[] { "plugins", "--plugins" }, "--plugins")]
    public void BadUsage_ExitsWith2_AndSaysWhy(string[] args, string why)
    {
        var (exit, output, error) = CliRun.Run(args);

        exit.ShouldBe(ExitCodes.BadInput);
        error.ShouldContain(why);
        output.ShouldBeEmpty("bad input writes nothing to standard output");
    }

    [Fact]
    public void Plugins_ListsTheShippedPlugins()
    {
        var (exit, output, error) = CliRun.Run("plugins");

        exit.ShouldBe(ExitCodes.Ok);
        error.ShouldBeEmpty();
        var rows = output.Split('\n').Where(l => l.Contains(Path.Combine(AppContext.BaseDirectory, "plugins"), StringComparison.Ordinal)).ToList();
        rows.Count.ShouldBe(3);
        rows[0].ShouldContain("erofs");
        rows[1].ShouldContain("ext4");
        rows[2].ShouldContain("xfs");
        rows.ShouldAllBe(r => r.Contains(" 1.0 "));
    }

    [Fact]
    public void Plugins_WithABrokenPluginFolder_ListsTheRest_ReportsTheError_AndExitsWith2()
    {
        var missing = Path.Combine(Path.GetTempPath(), "daxholder-no-such-dir-" + Guid.NewGuid().ToString("N"));

        var (exit, output, error) = CliRun.Run("plugins", "--plugins", missing);

        exit.ShouldBe(ExitCodes.BadInput);
        output.ShouldContain("xfs");
        error.Trim().ShouldBe($"daxholder: plugin '{Path.GetFileName(missing)}' ({missing}): the directory named by --plugins does not exist. Fix: give an existing plugin folder or folder of plugin folders.");
    }

    [Fact]
    public void Plugins_ReadsTheEnvironmentVariable()
    {
        var missing = Path.Combine(Path.GetTempPath(), "daxholder-env-dir-" + Guid.NewGuid().ToString("N"));

        var (exit, _, error) = CliRun.RunWith(missing, "plugins");

        exit.ShouldBe(ExitCodes.BadInput);
        error.ShouldContain("the directory named by DAXHOLDER_PLUGINS does not exist");
    }
}
