using Backprop.NN;

namespace Backprop.Optim;

/// <summary>Adam with decoupled weight decay, as torch.optim.AdamW: p ← p − lr·wd·p before the Adam step.</summary>
public sealed class AdamW : Adam
{
    /// <summary>Makes the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">The learning rate.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="eps">ε.</param>
    /// <param name="weightDecay">The decoupled weight decay (PyTorch's default 0.01).</param>
    public AdamW(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0.01f)
        : base(parameters, learningRate, beta1, beta2, eps, weightDecay)
    {
    }

    /// <summary>Makes the optimizer over parameter groups; each group may set "lr", "beta1", "beta2", "eps" and "weight_decay".</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The default learning rate.</param>
    /// <param name="beta1">The default β₁.</param>
    /// <param name="beta2">The default β₂.</param>
    /// <param name="eps">The default ε.</param>
    /// <param name="weightDecay">The default decoupled weight decay.</param>
    public AdamW(IEnumerable<ParamGroup> groups, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0.01f)
        : base(groups, learningRate, beta1, beta2, eps, weightDecay)
    {
    }

    /// <inheritdoc/>
    protected override bool DecoupledWeightDecay => true;
}
