using System.Reflection;
using System.Runtime.Loader;

namespace DaxHolder.Host.PluginLoading;

/// <summary>
/// One collectible load context per plugin folder. The plugin's own dependencies resolve through
/// its deps.json (AssemblyDependencyResolver); the <see cref="SharedAssemblies"/> and the .NET
/// runtime fall through to the host's default context.
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver resolver;

    public PluginLoadContext(string pluginName, string mainAssemblyPath)
        : base($"plugin:{pluginName}", isCollectible: true)
    {
        resolver = new AssemblyDependencyResolver(mainAssemblyPath);
    }

    /// <summary>Where the plugin's own copy of <paramref name="name"/> is, or null if it has none.</summary>
    public string? ResolvePrivate(AssemblyName name) =>
        SharedAssemblies.IsShared(name) ? null : resolver.ResolveAssemblyToPath(name);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = ResolvePrivate(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
