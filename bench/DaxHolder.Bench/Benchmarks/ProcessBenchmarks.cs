using System.Diagnostics;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using DaxHolder.Bench.Support;

namespace DaxHolder.Bench.Benchmarks;

/// <summary>
/// (c) A cold <c>daxholder run scenarios/demo.yaml</c> as a new process: the built executable
/// (Host/Cli/bin/&lt;configuration&gt;/net10.0/daxholder), runtime start, plugin loading, the run and
/// the report. (d) The snapshot suite: <c>daxholder check scenarios/</c>, every scenario cell
/// of the corpus against its approved file, also as a process.
/// </summary>
[Config(typeof(OnceConfig))]
public class ProcessBenchmarks
{
    private readonly string demo = "scenarios/demo.yaml";
    private readonly string corpus = "scenarios/";

    [Benchmark(Description = "cold `daxholder run` of the demo (process)")]
    public int ColdRunDemo() => Daxholder.Run("run", demo);

    [Benchmark(Description = "snapshot suite: `daxholder check scenarios/` (process)")]
    public int SnapshotSuite() => Daxholder.Run("check", corpus);
}

/// <summary>Runs the built daxholder executable from the repository root.</summary>
public static class Daxholder
{
    /// <summary>The repository root: the first folder up from the benchmark that holds DaxHolder.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>
    /// The daxholder built in this benchmark assembly's own configuration (the Release command
    /// builds Host in Release, the CI smoke in Debug), never a stale build of the other one.
    /// </summary>
    public static string Executable
    {
        get
        {
            var configuration = typeof(Daxholder).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
            var path = Path.Combine(RepositoryRoot, "Host", "Cli", "bin", configuration, "net10.0", OperatingSystem.IsWindows() ? "daxholder.exe" : "daxholder");
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"daxholder is not built at {path}: run `dotnet build -c {configuration} Host/Cli` first");
        }
    }

    /// <summary>Runs daxholder with <paramref name="args"/>; its exit code, which must be 0.</summary>
    public static int Run(params string[] args)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("DAXHOLDER_PLUGINS");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("daxholder did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return process.ExitCode == 0
            ? 0
            : throw new InvalidOperationException($"daxholder {string.Join(' ', args)} exited {process.ExitCode}: {error.Result}{output.Result[..Math.Min(500, output.Result.Length)]}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DaxHolder.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no DaxHolder.slnx above {AppContext.BaseDirectory}");
    }
}
