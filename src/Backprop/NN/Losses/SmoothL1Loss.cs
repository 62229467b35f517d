namespace Backprop.NN.Losses;

/// <summary>
/// Smooth L1 loss (torch.nn.SmoothL1Loss): ½d²/β where |d| &lt; β, |d| − ½β beyond, with d = x − y; β = 0 is the L1 loss.
/// </summary>
public sealed class SmoothL1Loss : Loss
{
    /// <summary>Makes the loss.</summary>
    /// <param name="reduction">How per-element losses are combined.</param>
    /// <param name="beta">β, where the loss turns from quadratic to linear; not negative.</param>
    public SmoothL1Loss(Reduction reduction = Reduction.Mean, double beta = 1.0)
        : base(reduction)
    {
        if (!(beta >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "SmoothL1Loss: beta must not be negative.");
        }

        Beta = beta;
    }

    /// <summary>β.</summary>
    public double Beta { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        RequireSameShape("SmoothL1Loss", input, target);
        var a = (input - target).Abs();
        if (Beta == 0)
        {
            return Reduce(a);
        }

        var quadratic = a.Clamp(null, Beta);
        return Reduce((quadratic.Pow(2f) * (0.5 / Beta)) + (a - quadratic));
    }
}
