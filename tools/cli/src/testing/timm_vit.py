"""A Vision Transformer in timm's layout and names, written out in PyTorch (no timm needed):
patch_embed.proj, cls_token, pos_embed, blocks.{i}.norm1/attn.qkv/attn.proj/norm2/mlp.fc1/mlp.fc2,
norm, head. Saves its state dict, a batch of images and their logits as safetensors (written by
hand: Debian has no safetensors package). LayerNorm with timm's eps (1e-6) unless EPS is given.

Usage: python3 timm_vit.py OUT_DIR [EPS]
"""
import json
import struct
import sys

import torch
from torch import nn

DIM, HEADS, DEPTH, MLP, PATCH, CLASSES = 128, 2, 1, 256, 7, 10
EPS = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-6


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(DIM, 3 * DIM)
        self.proj = nn.Linear(DIM, DIM)

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, HEADS, c // HEADS).permute(2, 0, 3, 1, 4)
        weights = ((q @ k.transpose(-2, -1)) * (c // HEADS) ** -0.5).softmax(dim=-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(DIM, MLP)
        self.fc2 = nn.Linear(MLP, DIM)

    def forward(self, x):
        return self.fc2(nn.functional.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(DIM, eps=EPS), Attention()
        self.norm2, self.mlp = nn.LayerNorm(DIM, eps=EPS), Mlp()

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Conv2d(1, DIM, PATCH, PATCH)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class VisionTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch_embed = PatchEmbed()
        self.cls_token = nn.Parameter(torch.randn(1, 1, DIM) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, (28 // PATCH) ** 2 + 1, DIM) * 0.02)
        self.blocks = nn.Sequential(*[Block() for _ in range(DEPTH)])
        self.norm = nn.LayerNorm(DIM, eps=EPS)
        self.head = nn.Linear(DIM, CLASSES)

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        return self.head(self.norm(self.blocks(x))[:, 0])


def save(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().float().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


torch.manual_seed(0)
model = VisionTransformer()
with torch.no_grad():
    for name, parameter in model.named_parameters():
        if "norm" in name:  # norms away from their initial 1 and 0, so a wrong fold would show
            parameter.add_(torch.randn_like(parameter) * 0.2)
images = torch.rand(4, 1, 28, 28)
with torch.no_grad():
    logits = model(images)
save(f"{sys.argv[1]}/vit.safetensors", model.state_dict())
save(f"{sys.argv[1]}/batch.safetensors", {"images": images, "logits": logits})
