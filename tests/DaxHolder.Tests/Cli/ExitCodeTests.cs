using DaxHolder.Cli;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Cli;

/// <summary>The documented exit codes: 0 held, 1 differ, 2 bad input, 3 plugin fault, 4 internal error.</summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "daxholder-exit-" + Guid.NewGuid().ToString("N"));

    public ExitCodeTests() => Directory.CreateDirectory(root);

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData("oracle", "--bogus", "--help")]
    [InlineData("bogus")]
    [InlineData("run", "--bogus")]
    [InlineData("check", "--bogus")]
    [InlineData("demo", "--plugin-timeout", "-1")]
    public void UnknownCommandsAndOptions_AreBadInput_EvenBesideHelp(params string[] args)
    {
        var (exit, output, error) = CliRun.Run(args);

        exit.ShouldBe(ExitCodes.BadInput, output + error);
        error.ShouldStartWith("daxholder: ");
    }

    [Fact]
    public void CheckAccept_WhereOneApprovedFileCannotBeWritten_WritesNone()
    {
        var scenarios = Path.Combine(RepositoryRoot(), "scenarios", "ndctl");
        foreach (var name in new[] { "dax-errors", "device-dax-poison" })
        {
            File.Copy(Path.Combine(scenarios, name + ".yaml"), Path.Combine(root, name + ".yaml"));
        }

        // device-dax-poison's approved file cannot be written: a directory is in its place.
        Directory.CreateDirectory(Path.Combine(root, "device-dax-poison.approved.txt"));

        var (exit, _, error) = CliRun.Run("check", root, "--accept");

        exit.ShouldBe(ExitCodes.BadInput, error);
        error.ShouldContain("check --accept wrote no approved file");
        File.Exists(Path.Combine(root, "dax-errors.approved.txt")).ShouldBeFalse("accepting writes all approvals or none");
        Directory.GetFiles(root, "*.daxholder-tmp").ShouldBeEmpty("nothing half written is left behind");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DaxHolder.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
