namespace Backprop.NN.Losses;

/// <summary>
/// Kullback-Leibler divergence of a target distribution from the input's (torch.nn.KLDivLoss): the input holds
/// log-probabilities, the target probabilities (or log-probabilities with <paramref name="logTarget"/>); per element
/// t·(log t − x), 0 where t = 0. <see cref="Reduction.BatchMean"/> gives the true KL divergence per sample.
/// </summary>
/// <param name="reduction">How per-element losses are combined (PyTorch's default is the mean over all elements).</param>
/// <param name="logTarget">Whether the target holds log-probabilities.</param>
public sealed class KLDivLoss(Reduction reduction = Reduction.Mean, bool logTarget = false) : Loss(reduction)
{
    /// <summary>Whether the target holds log-probabilities.</summary>
    public bool LogTarget { get; } = logTarget;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        RequireSameShape("KLDivLoss", input, target);
        if (LogTarget)
        {
            return Reduce(target.Exp() * (target - input));
        }

        // log t where t > 0, and log 1 = 0 elsewhere, so that 0·log 0 counts as 0 with a finite gradient.
        var logT = Tensor.Where(target.Gt(0), target, 1).Log();
        return Reduce(target * (logT - input));
    }
}
