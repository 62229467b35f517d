using System.Numerics.Tensors;
using Backprop.Kernels.Elementwise;
using Backprop.NN;

namespace Backprop.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay,
/// exactly as torch.optim.SGD: g ← g + wd·p; b ← μ·b + (1 − dampening)·g (b ← g on the first step);
/// g ← g + μ·b (Nesterov) or g ← b; p ← p − lr·g.
/// </summary>
public sealed class SGD : Optimizer
{
    private static readonly string[] OptionNames = ["lr", "momentum", "dampening", "weight_decay", "nesterov"];
    private static readonly string[] MomentumState = ["momentum_buffer"];

    /// <summary>Makes the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">The learning rate.</param>
    /// <param name="momentum">μ, the momentum factor.</param>
    /// <param name="dampening">The dampening of momentum.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs momentum &gt; 0 and no dampening).</param>
    public SGD(IEnumerable<Parameter> parameters, float learningRate, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : this([new ParamGroup(parameters)], learningRate, momentum, dampening, weightDecay, nesterov)
    {
    }

    /// <summary>Makes the optimizer over parameter groups; each group may set "lr", "momentum", "dampening", "weight_decay" and "nesterov" (0 or 1), and takes the arguments here for the rest.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The default learning rate.</param>
    /// <param name="momentum">The default μ.</param>
    /// <param name="dampening">The default dampening.</param>
    /// <param name="weightDecay">The default L2 penalty.</param>
    /// <param name="nesterov">The default for Nesterov momentum.</param>
    public SGD(IEnumerable<ParamGroup> groups, float learningRate, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(groups, OptionNames, [learningRate, momentum, dampening, weightDecay, nesterov ? 1f : 0f])
    {
        foreach (var group in ParamGroups)
        {
            float mu = group["momentum"], damp = group["dampening"], wd = group["weight_decay"];
            var useNesterov = group["nesterov"] != 0f;
            if (mu < 0f || wd < 0f || (useNesterov && (mu <= 0f || damp != 0f)))
            {
                throw new ArgumentException($"SGD: momentum {mu}, dampening {damp}, weight decay {wd}, nesterov {useNesterov}: values must be >= 0, and Nesterov needs momentum > 0 and zero dampening.", nameof(momentum));
            }
        }
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> StateNames(float[] options) => options[1] == 0f ? [] : MomentumState;

    /// <inheritdoc/>
    protected override int ScratchSlots(float[] options) => options[1] == 0f && options[3] != 0f ? 1 : 0;

    /// <inheritdoc/>
    protected override void Update(int index, int start, Span<float> param, ReadOnlySpan<float> grad)
    {
        var o = Options(index);
        float lr = o[0], momentum = o[1], dampening = o[2], weightDecay = o[3];
        if (momentum == 0f)
        {
            if (weightDecay != 0f)
            {
                var decayed = Scratch(index, start, param.Length);
                TensorPrimitives.MultiplyAdd(param, weightDecay, grad, decayed);
                grad = decayed;
            }

            TensorPrimitives.MultiplyAdd(grad, -lr, param, param);
            return;
        }

        var buffer = Buffer(index, "momentum_buffer", start, param.Length);
        var first = IsFirstUpdate(index);
        Elementwise.Update(param, grad, buffer, new SgdMomentumOperator(lr, momentum, weightDecay, first ? 0f : momentum, first ? 1f : 1f - dampening, o[4] != 0f));
    }
}
