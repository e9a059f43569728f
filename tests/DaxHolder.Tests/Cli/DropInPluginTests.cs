using System.Diagnostics;
using DaxHolder.Cli;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Cli;

/// <summary>
/// "Drop in a new filesystem plugin": a plugin project the host does not reference is built on
/// its own, its output put in a temporary folder, and daxholder loads and lists it from there.
/// </summary>
public sealed class DropInPluginTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "daxholder-dropin-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void APluginBuiltApart_IsListedThroughThePluginsOption()
    {
        var folder = Path.Combine(root, "DropIn");
        Publish(Path.Combine(RepositoryRoot(), "tests", "Fixtures", "DropInPlugin", "DropInPlugin.csproj"), folder);

        var (exit, output, error) = CliRun.Run("plugins", "--plugins", folder);

        error.ShouldBeEmpty();
        exit.ShouldBe(ExitCodes.Ok);
        var row = output.Split('\n').Single(l => l.Contains("dropinfs", StringComparison.Ordinal));
        row.ShouldContain("DropIn");
        row.ShouldContain("3.1.4");
        row.ShouldContain(folder);
        output.ShouldContain("xfs", customMessage: "the shipped plugins are still listed beside the dropped-in one");
        File.Exists(Path.Combine(folder, "DaxHolder.Abstractions.dll")).ShouldBeFalse("a plugin ships without the contract");
    }

    private static void Publish(string project, string output)
    {
        var start = new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-o", output, "--nologo", "-v", "q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // The test host's own MSBuild settings must not leak into a separate build.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(TimeSpan.FromMinutes(5)).ShouldBeTrue("dotnet publish of the fixture must finish");
        process.ExitCode.ShouldBe(0, $"dotnet publish failed:\n{stdout.Result}\n{stderr.Result}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DaxHolder.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DaxHolder.slnx not found above " + AppContext.BaseDirectory);
    }
}
