namespace Backprop.NN;

/// <summary>The Gaussian error linear unit, exact erf form.</summary>
public sealed class GELU : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Gelu();
    }

    /// <inheritdoc/>
    public override string ToString() => "GELU()";
}
