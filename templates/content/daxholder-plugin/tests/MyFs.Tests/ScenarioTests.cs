using System.Diagnostics;
using System.Reflection;

namespace MyFs.Tests;

/// <summary>
/// The plugin in the real host: daxholder (the local tool in .config/dotnet-tools.json; run
/// `dotnet tool restore` once) runs each scenario under scenarios/ with this plugin's build output,
/// and its decisions (signals, unmaps, shutdowns, kernel log) are held against the approved file
/// beside this test. A run whose inline expectations fail exits 1 and fails the test too.
/// </summary>
public sealed class ScenarioTests
{
    [Fact]
    public void MyFsPoison_DecisionsMatchApproved()
    {
        var (exit, output, error) = Daxholder("run", Path.Combine(Paths.ProjectRoot, "scenarios", "poison.yaml"), "--plugins", Paths.PluginDirectory);

        exit.ShouldBe(0, $"daxholder run failed:\n{error}");
        output.Replace("\r\n", "\n", StringComparison.Ordinal).ShouldMatchApproved(b =>
        {
            b.WithFileExtension("txt").DoNotIgnoreLineEndings().LocateTestMethodUsingAttribute<FactAttribute>();
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                b.NoDiff();
            }
        });
    }

    [Fact]
    public void ThePlugin_IsListedByDaxholder()
    {
        var (exit, output, error) = Daxholder("plugins", "--plugins", Paths.PluginDirectory);

        exit.ShouldBe(0, error);
        output.Split('\n').ShouldContain(line => line.Contains("MyFs", StringComparison.Ordinal) && line.Contains("myfs", StringComparison.Ordinal));
    }

    /// <summary>`dotnet tool run daxholder -- ARGS` from the project root, where the tool manifest is.</summary>
    private static (int Exit, string Output, string Error) Daxholder(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", ["tool", "run", "daxholder", "--", .. arguments])
        {
            WorkingDirectory = Paths.ProjectRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit(TimeSpan.FromMinutes(2)).ShouldBeTrue("daxholder must finish within two minutes");
        if (error.Result.Contains("dotnet tool restore", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"daxholder is not installed here: run `dotnet tool restore` in {Paths.ProjectRoot}\n{error.Result}");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}

/// <summary>Where the build put things (AssemblyMetadata written by the test project).</summary>
internal static class Paths
{
    public static string PluginDirectory => Metadata("PluginDirectory");

    public static string ProjectRoot => Metadata("ProjectRoot");

    private static string Metadata(string key) =>
        Path.GetFullPath(typeof(Paths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!);
}
