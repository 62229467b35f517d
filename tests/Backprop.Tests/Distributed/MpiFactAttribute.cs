namespace Backprop.Tests.Distributed;

/// <summary>A test that runs `backprop` under mpiexec; skipped, with the reason, on a machine without MPI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (Mpiexec.Missing is { } reason)
        {
            Skip = reason;
        }
    }
}
