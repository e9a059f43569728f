using BenchmarkDotNet.Running;

namespace DaxHolder.Bench;

/// <summary>
/// DaxHolder's benchmarks: <c>dotnet run -c Release --project bench/DaxHolder.Bench -- --filter '*'</c>
/// (bench/README.md). Arguments go to BenchmarkDotNet's switcher (--filter, --list flat, ...).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "--describe")
        {
            Support.Describe.Run(Console.Out, args.Length > 1 ? args[1] : null);
            return;
        }

        if (args.Length > 0 && args[0] == "--unbind")
        {
            Support.Describe.Unbind(Console.Out);
            return;
        }

        if (args.Length > 1 && args[0] == "--events")
        {
            Support.Describe.Events(Console.Out, int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
