namespace Backprop.NN.Losses;

/// <summary>The seed network's cost, ½·(ŷ − y)² per element, summed by default (½·Σ(ŷ − y)², whose gradient is ŷ − y).</summary>
/// <param name="reduction">How per-element losses are combined; the tutorial's cost is the sum.</param>
public sealed class HalfSquaredError(Reduction reduction = Reduction.Sum) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        RequireSameShape("HalfSquaredError", input, target);
        return Reduce((input - target).Pow(2f) * 0.5f);
    }
}
