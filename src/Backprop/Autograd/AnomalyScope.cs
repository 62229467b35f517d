namespace Backprop.Autograd;

/// <summary>A scope of <see cref="Tensor.DetectAnomaly"/>: NaN and infinity are looked for until it is disposed.</summary>
public readonly struct AnomalyScope : IDisposable
{
    private readonly bool _active;

    internal AnomalyScope(bool active)
    {
        _active = active;
        AnomalyMode.Enter();
    }

    /// <summary>Leaves the scope.</summary>
    public void Dispose()
    {
        if (_active)
        {
            AnomalyMode.Exit();
        }
    }
}
