using DaxHolder.Abstractions.Plugins;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.Extensions.DependencyInjection;

namespace DaxHolder.Tests.Support;

/// <summary>
/// Compiles small plugins (and, for the failure cases, stand-in contract or dependency
/// assemblies) from C# source into folders under a temporary root that is deleted with it.
/// </summary>
public sealed class FixturePlugins : IDisposable
{
    private static readonly MetadataReference[] RuntimeReferences =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
        .Split(Path.PathSeparator)
        .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
        .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
        .ToArray();

    /// <summary>The real contract and DI abstractions, as the shipped plugins compile against them.</summary>
    public static readonly string ContractPath = typeof(IDaxHolderPlugin).Assembly.Location;

    /// <summary>The DI abstractions the contract is expressed in.</summary>
    public static readonly string DiAbstractionsPath = typeof(IServiceCollection).Assembly.Location;

    public FixturePlugins()
    {
        Root = Path.Combine(Path.GetTempPath(), "daxholder-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    /// <summary>The temporary root; each plugin gets a folder in it.</summary>
    public string Root { get; }

    /// <summary>
    /// Source of a complete plugin registering one filesystem type named <paramref name="fsName"/>,
    /// with optional extra members. It declares the type it registers (<c>FileSystems = [...]</c>),
    /// or <paramref name="declaresInstead"/> (a declaration that lies), or with
    /// <paramref name="declared"/> false nothing.
    /// </summary>
    public static string PluginSource(string ns, string fsName, string mkfsBody = "ErrnoOr<IFileSystemImage>.Fail(Errno.EOPNOTSUPP, \"fixture\")", string extra = "", bool declared = true, string[]? declaresInstead = null)
    {
        var declaration = declared ? $", FileSystems = [{string.Join(", ", (declaresInstead ?? [fsName]).Select(n => $"\"{n}\""))}]" : "";
        return $$"""
        using DaxHolder.Abstractions;
        using DaxHolder.Abstractions.Fs;
        using DaxHolder.Abstractions.Plugins;
        using Microsoft.Extensions.DependencyInjection;

        [assembly: DaxHolderPlugin(typeof({{ns}}.Entry){{declaration}})]

        namespace {{ns}};

        public sealed class Entry : IDaxHolderPlugin
        {
            public void ConfigureServices(IServiceCollection services) => services.AddSingleton<IFileSystemType, FsType>();
        }

        public sealed class FsType : IFileSystemType
        {
            public string Name => "{{fsName}}";
            public ErrnoOr<IFileSystemImage> Mkfs(MkfsRequest request) => {{mkfsBody}};
            public ErrnoOr<IMountedFileSystem> Mount(MountRequest request) => ErrnoOr<IMountedFileSystem>.Fail(Errno.EOPNOTSUPP, "fixture");
        }

        {{extra}}
        """;
    }

    /// <summary>Compiles <paramref name="source"/> as <paramref name="assemblyName"/>.dll into <paramref name="folder"/> (under <see cref="Root"/>) and returns the folder.</summary>
    public string Compile(string folder, string assemblyName, string source, params string[] references) =>
        Compile(folder, assemblyName, [source], references);

    /// <summary>
    /// testfs (the kernel tests' filesystem, Kernel/Support/TestFs*.cs) as a plugin named
    /// "faulty" that faults at <paramref name="stage"/>: it throws there, or with
    /// <paramref name="hang"/> never returns until the host cancels the call.
    /// </summary>
    public string CompileFaultyTestFs(string folder, string stage, bool hang = false)
    {
        var support = Path.Combine(SourceDirectory(), "..", "Kernel", "Support");
        string[] sources =
        [
            .. new[] { "TestFs.cs", "TestFs.Iomap.cs", "TestFsFaults.cs" }.Select(f => File.ReadAllText(Path.Combine(support, f))),
            "global using System; global using System.Collections.Generic; global using System.Linq; global using System.Threading;",
            $$"""
            namespace DaxHolder.Tests.Kernel.Support;
            internal static class TestFsFaultPlan
            {
                public static string? Stage => "{{stage}}";
                public static bool Hang => {{(hang ? "true" : "false")}};
            }
            """,
            """
            using DaxHolder.Abstractions.Fs;
            using DaxHolder.Abstractions.Plugins;
            using Microsoft.Extensions.DependencyInjection;
            [assembly: DaxHolderPlugin(typeof(Faulty.Entry), Name = "faulty", FileSystems = ["testfs"])]
            [assembly: System.Reflection.AssemblyInformationalVersion("9.9.9")]
            namespace Faulty;
            public sealed class Entry : IDaxHolderPlugin
            {
                public void ConfigureServices(IServiceCollection services) => services.AddSingleton<IFileSystemType, DaxHolder.Tests.Kernel.Support.TestFsType>();
            }
            """,
        ];
        return Compile(folder, "Faulty.Plugin", sources, ContractPath, DiAbstractionsPath);
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    /// <summary>Compiles several source files as <paramref name="assemblyName"/>.dll into <paramref name="folder"/> (under <see cref="Root"/>) and returns the folder.</summary>
    public string Compile(string folder, string assemblyName, IReadOnlyList<string> sources, params string[] references)
    {
        var dir = Path.Combine(Root, folder);
        Directory.CreateDirectory(dir);
        var compilation = CSharpCompilation.Create(
            assemblyName,
            [.. sources.Select(source => CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)))],
            [.. RuntimeReferences, .. references.Select(r => MetadataReference.CreateFromFile(r))],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var path = Path.Combine(dir, assemblyName + ".dll");
        var result = compilation.Emit(path);
        result.Success.ShouldBeTrue("fixture source must compile: " + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return dir;
    }

    /// <summary>Compiles a plugin against the real contract.</summary>
    public string CompilePlugin(string folder, string source, params string[] extraReferences) =>
        Compile(folder, folder + ".Plugin", source, [ContractPath, DiAbstractionsPath, .. extraReferences]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A still-loaded assembly can hold a file on some systems; the folder is temporary.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
