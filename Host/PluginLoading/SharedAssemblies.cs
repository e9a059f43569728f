using System.Reflection;
using DaxHolder.Abstractions.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace DaxHolder.PluginLoading;

/// <summary>
/// The assemblies a plugin always gets from the host, never from its own folder: the contract
/// and the DI abstractions it is expressed in. One copy of each means one identity for
/// IFileSystemType, IServiceCollection and the rest on both sides of the boundary; a plugin that
/// carried its own copy would have its types silently refused by the host.
/// </summary>
internal static class SharedAssemblies
{
    /// <summary>The simple names of the shared assemblies.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        DaxHolderContract.AssemblyName,
        "Microsoft.Extensions.DependencyInjection.Abstractions",
    ];

    /// <summary>A type of each shared assembly, as McMaster.NETCore.Plugins' loader takes them.</summary>
    public static Type[] Types { get; } = [typeof(IDaxHolderPlugin), typeof(IServiceCollection)];

    /// <summary>Whether <paramref name="name"/> is one the host provides.</summary>
    public static bool IsShared(AssemblyName name) =>
        Names.Contains(name.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="simpleName"/> is one the host provides.</summary>
    public static bool IsShared(string simpleName) =>
        Names.Contains(simpleName, StringComparer.OrdinalIgnoreCase);
}
