namespace Backprop.Tests.Distributed;

/// <summary>
/// A test that runs `backprop` under mpiexec (with <see cref="TwoHosts"/> set, on two hosts made of network
/// namespaces); skipped, with the reason, on a machine without MPI or without namespaces.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute() => Skip = Mpiexec.Missing;

    /// <summary>Whether the test needs two hosts; where they cannot be made, it is skipped with the reason.</summary>
    public bool TwoHosts
    {
        get;
        set
        {
            field = value;
            Skip = value ? Distributed.TwoHosts.Missing : Mpiexec.Missing;
        }
    }
}
