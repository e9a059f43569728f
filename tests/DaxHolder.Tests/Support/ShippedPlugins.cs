using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Modules;
using DaxHolder.PluginLoading;
using DaxHolder.Tests.PluginLoading;

namespace DaxHolder.Tests.Support;

/// <summary>
/// The shipped plugins, loaded once for the test run as daxholder loads them, and registered
/// once as kernel modules (fs/filesystems.c) for the XFS, ext4 and EROFS test machines: a
/// filesystem type holds no per-machine state, so one registration serves every machine.
/// </summary>
internal static class ShippedPlugins
{
    private static readonly Lazy<PluginCatalog> Catalog = new(() => PluginLoader.Load(Sources.ShippedAnd()));

    private static readonly Lazy<Filesystems> Registered = new(() => new Filesystems(
        [.. Catalog.Value.Plugins.Select(p => new KernelModule(new ModuleIdentity(p.Name, p.Version), p.Registrations))],
        new PluginCalls()));

    /// <summary>Filesystem type <paramref name="name"/> of <paramref name="catalog"/>'s plugins, registered as a machine registers it (guarded).</summary>
    public static FileSystemTypeEntry Register(PluginCatalog catalog, string name, PluginCalls? calls = null) =>
        new Filesystems([.. catalog.Plugins.Select(p => new KernelModule(new ModuleIdentity(p.Name, p.Version), p.Registrations))], calls ?? new PluginCalls())
            .GetFsType(name) ?? throw new InvalidOperationException($"no loaded plugin provides '{name}'");

    /// <summary>The shipped filesystem type called <paramref name="name"/>, guarded; throws if its plugin did not load.</summary>
    public static FileSystemTypeEntry Type(string name, string plugin) =>
        Registered.Value.GetFsType(name) ?? throw new InvalidOperationException($"the shipped {plugin} plugin did not load");
}
