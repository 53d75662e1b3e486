"""Fill resources/i18n/veo_desktop_pt_BR.ts with the Brazilian Portuguese strings below.

Run by scripts/update_translations.sh after pyside6-lupdate. Translations are matched by source text (the
context does not matter: the same English text reads the same everywhere). Every `%1`-style placeholder must
survive translation. Exits with status 1 and lists the strings still missing, so a new English string cannot
ship untranslated unnoticed.

    python scripts/translations_pt_BR.py resources/i18n/veo_desktop_pt_BR.ts
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

PT_BR: dict[str, str] = {
    # --- compose ---------------------------------------------------------------------------------------
    "Queue a file…": "Enfileirar um arquivo…",
    "Queue one video per line of a .txt or .csv file (or drop the file here)": (
        "Enfileira um vídeo por linha de um arquivo .txt ou .csv (ou solte o arquivo aqui)"
    ),
    "Queue them": "Enfileirar",
    "Queue a file": "Enfileirar um arquivo",
    "Prompt files (*.txt *.csv)": "Arquivos de prompts (*.txt *.csv)",
    "Could not read %1; check the file and try again.": "Não foi possível ler %1; verifique o arquivo e tente de novo.",
    "Queue %1 videos from %2 for %3?": "Enfileirar %1 vídeos de %2 por %3?",
    "Queue 1 video from %2 for %3?": "Enfileirar 1 vídeo de %2 por %3?",
    "This passes today's budget; raise it or queue fewer lines.": (
        "Isso passa do orçamento de hoje; aumente-o ou enfileire menos linhas."
    ),
    "Queued %1 videos from the file.": "%1 vídeos do arquivo na fila.",
    "Reference images cannot be combined with start or end frames; remove the frames first": (
        "Imagens de referência não se combinam com quadros inicial ou final; remova os quadros primeiro"
    ),
    "Start and end frames cannot be combined with reference images; remove the references first": (
        "Quadros inicial e final não se combinam com imagens de referência; remova as referências primeiro"
    ),
    "Reference images need %1 s videos": "Imagens de referência exigem vídeos de %1 s",
    "Reference %1": "Referência %1",
    "Reference images": "Imagens de referência",
    "%1 takes no reference images": "%1 não aceita imagens de referência",
    "%1 takes at most %2 reference images": "%1 aceita no máximo %2 imagens de referência",
    "%1×%2": "%1×%2",
    "Audio": "Áudio",
    "Google rewrites your prompt": "O Google reescreve seu prompt",
    "Seed": "Semente",
    "Google chooses": "O Google escolhe",
    "Same seed": "Repetir",
    "Use the seed of the last video queued": "Usar a semente do último vídeo enfileirado",
    "New seed": "Nova",
    "Pick a new random seed": "Sortear uma nova semente",
    "People": "Pessoas",
    "Resize": "Redimensionar",
    "Pad": "Preencher",
    "Fit the start frame inside the video, with bars": "Encaixa o quadro inicial dentro do vídeo, com faixas",
    "Crop": "Cortar",
    "Fill the video, cutting the start frame's edges": "Preenche o vídeo, cortando as bordas do quadro inicial",
    "Quality": "Qualidade",
    "Optimized": "Otimizada",
    "Smaller files": "Arquivos menores",
    "Lossless": "Sem perdas",
    "Larger files, no compression loss": "Arquivos maiores, sem perda por compressão",
    "Sound": "Som",
    "%1 always rewrites the prompt": "%1 sempre reescreve o prompt",
    "%1 takes no seed here": "%1 não aceita semente aqui",
    "%1 has no people setting here": "%1 não tem ajuste de pessoas aqui",
    "%1 has no quality setting": "%1 não tem ajuste de qualidade",
    "%1 has no resize mode": "%1 não tem modo de redimensionamento",
    "Resize applies only to a start frame; add one first": (
        "Redimensionar vale só para um quadro inicial; adicione um primeiro"
    ),
    "%1 always makes videos with sound": "%1 sempre faz vídeos com som",
    "%1 makes videos without sound": "%1 faz vídeos sem som",
    "No people": "Sem pessoas",
    "Adults only": "Só adultos",
    "People of any age": "Pessoas de qualquer idade",
    "%1 (default)": "%1 (padrão)",
    "New video": "Novo vídeo",
    "Describe the video: subject, action, style, camera, sound…": (
        "Descreva o vídeo: tema, ação, estilo, câmera, som…"
    ),
    "Prompt": "Prompt",
    "Cost": "Custo",
    "Prompt length": "Tamanho do prompt",
    "What to avoid (optional)": "O que evitar (opcional)",
    "Negative prompt": "Prompt negativo",
    "Model": "Modelo",
    "Google has retired this model; choose a current one.": "O Google descontinuou este modelo; escolha um atual.",
    "Aspect ratio": "Proporção",
    "Landscape (16:9)": "Paisagem (16:9)",
    "Portrait (9:16)": "Retrato (9:16)",
    "Duration": "Duração",
    "%1 s": "%1 s",
    "Resolution": "Resolução",
    "Variations per job": "Variações por tarefa",
    "Start frame": "Quadro inicial",
    "End frame": "Quadro final",
    "Number of videos": "Número de vídeos",
    "How many videos of this request to queue": "Quantos vídeos deste pedido colocar na fila",
    "Cost of this request": "Custo deste pedido",
    "Spent today": "Gasto hoje",
    "Daily budget used": "Orçamento diário usado",
    "Generate": "Gerar",
    "Queue this request (Ctrl+Enter)": "Colocar este pedido na fila (Ctrl+Enter)",
    "Cancel edit": "Cancelar edição",
    "Variations": "Variações",
    "Videos": "Vídeos",
    "%1 does not offer %2": "%1 não oferece %2",
    "%1 needs 8 s videos": "%1 exige vídeos de 8 s",
    "Videos made by one job (one operation at Google)": "Vídeos feitos por uma tarefa (uma operação no Google)",
    "%1 makes one video per job": "%1 faz um vídeo por tarefa",
    "This model does not accept a start frame": "Este modelo não aceita quadro inicial",
    "Add a start frame first": "Adicione um quadro inicial primeiro",
    "Add a start\nframe first": "Adicione um quadro\ninicial primeiro",
    "%1 / %2": "%1 / %2",
    "%1 × %2 = %3": "%1 × %2 = %3",
    "Cost: %1": "Custo: %1",
    "Edit waiting video": "Editar vídeo em espera",
    "Save changes": "Salvar alterações",
    "Could not read that file (%1); choose another.": "Não foi possível ler esse arquivo (%1); escolha outro.",
    "%1×%2 %3 · %4 KB": "%1×%2 %3 · %4 KB",
    "Queuing…": "Colocando na fila…",
    "Saved your changes to the waiting video.": "Suas alterações no vídeo em espera foram salvas.",
    "Queued 1 video.": "1 vídeo colocado na fila.",
    "Queued %1 videos.": "%1 vídeos colocados na fila.",
    "Spent today: %1 of %2": "Gasto hoje: %1 de %2",
    "Spent today: %1 · no daily budget": "Gasto hoje: %1 · sem orçamento diário",
    # --- frame picker ----------------------------------------------------------------------------------
    "%1 preview": "Prévia do %1",
    "Choose…": "Escolher…",
    "Choose %1": "Escolher %1",
    "Choose an image file (you can also drop one here or paste it)": (
        "Escolha um arquivo de imagem (você também pode soltá-lo aqui ou colá-lo)"
    ),
    "Paste": "Colar",
    "Paste %1 from the clipboard": "Colar %1 da área de transferência",
    "Clear": "Limpar",
    "Clear %1": "Limpar %1",
    "Drop an image\nhere": "Solte uma\nimagem aqui",
    "Checking…": "Verificando…",
    "(no preview)": "(sem prévia)",
    "Choose the %1": "Escolher o %1",
    "Images (*.png *.jpg *.jpeg *.webp);;All files (*)": "Imagens (*.png *.jpg *.jpeg *.webp);;Todos os arquivos (*)",
    "The clipboard has no image; copy an image or an image file first.": (
        "A área de transferência não tem imagem; copie uma imagem ou um arquivo de imagem primeiro."
    ),
    # --- main window -----------------------------------------------------------------------------------
    "&File": "&Arquivo",
    "&Settings…": "&Configurações…",
    "&Quit": "&Sair",
    "&Queue": "&Fila",
    "&Generate\tCtrl+Enter": "&Gerar\tCtrl+Enter",
    "&Pause or resume queue": "&Pausar ou retomar a fila",
    "&Cancel all waiting…": "&Cancelar todos em espera…",
    "&View": "&Exibir",
    "Focus the &prompt": "Ir para o &prompt",
    "Focus the &queue": "Ir para a &fila",
    "&Filter the queue": "F&iltrar a fila",
    "Search the &library": "Buscar na &biblioteca",
    "&Help": "Aj&uda",
    "&About Veo Desktop": "&Sobre o Veo Desktop",
    "Player": "Player",
    "Library": "Biblioteca",
    "Veo Desktop": "Veo Desktop",
    "%1 generating · %2 waiting": "%1 gerando · %2 em espera",
    "%1 generating · %2 waiting · %3 slots": "%1 gerando · %2 em espera · %3 vagas",
    "The last frame is now the start frame.": "O último quadro agora é o quadro inicial.",
    "About Veo Desktop": "Sobre o Veo Desktop",
    "Veo Desktop %1": "Veo Desktop %1",
    "Queue, run and play Google Veo video generations.": "Enfileire, gere e assista vídeos do Google Veo.",
    "Videos still generating": "Vídeos ainda sendo gerados",
    "%1 videos are still being made at Google.": "%1 vídeos ainda estão sendo feitos no Google.",
    "They continue there. When you open Veo Desktop again, it picks them up and downloads them. Nothing is "
    "lost and nothing starts again. Waiting videos stay in the queue.": (
        "Eles continuam lá. Quando você abrir o Veo Desktop de novo, ele os retoma e baixa. Nada se perde e "
        "nada recomeça. Os vídeos em espera continuam na fila."
    ),
    "Quit": "Sair",
    "Keep open": "Manter aberto",
    "Resume queue": "Retomar a fila",
    "The queue is paused: Google refused the API key (%1). Fix the key in Settings, then Resume.": (
        "A fila está pausada: o Google recusou a chave de API (%1). Corrija a chave em Configurações e "
        "depois clique em Retomar."
    ),
    "no detail": "sem detalhes",
    "The queue is paused. Waiting videos will not start until you resume it.": (
        "A fila está pausada. Os vídeos em espera só começam quando você retomá-la."
    ),
    "Google asked us to slow down; starting again in %1 s.": (
        "O Google pediu para irmos mais devagar; recomeçando em %1 s."
    ),
    "Prompt copied.": "Prompt copiado.",
    "Taking the last frame…": "Pegando o último quadro…",
    "Could not read the last frame of this video.": "Não foi possível ler o último quadro deste vídeo.",
    "Cancel all waiting videos?": "Cancelar todos os vídeos em espera?",
    "Every video that has not started yet will be cancelled and refunded. Videos already generating continue.": (
        "Todos os vídeos que ainda não começaram serão cancelados e reembolsados. Os que já estão sendo "
        "gerados continuam."
    ),
    "Cancel waiting videos": "Cancelar vídeos em espera",
    "Keep them": "Manter",
    "Cancelled %1 waiting videos; they were refunded.": "%1 vídeos em espera cancelados e reembolsados.",
    # --- queue -----------------------------------------------------------------------------------------
    "Queue": "Fila",
    "Queue summary": "Resumo da fila",
    "Filter by prompt, model or status": "Filtrar por prompt, modelo ou status",
    "Filter the queue": "Filtrar a fila",
    "Show": "Mostrar",
    "All": "Todos",
    "Active": "Ativos",
    "Finished": "Concluídos",
    "Needs attention": "Precisam de atenção",
    "Pause queue": "Pausar a fila",
    "Pause or resume the queue": "Pausar ou retomar a fila",
    "Cancel all waiting": "Cancelar todos em espera",
    "Cancel all waiting videos": "Cancelar todos os vídeos em espera",
    "Queued and finished videos": "Vídeos na fila e concluídos",
    "Try again": "Tentar de novo",
    "Retry (may be billed twice)": "Tentar de novo (pode ser cobrado duas vezes)",
    "Give up (refund)": "Desistir (reembolso)",
    "Cancel": "Cancelar",
    "Move to top": "Mover para o topo",
    "Edit…": "Editar…",
    "Duplicate into composer": "Duplicar no editor",
    "Open video": "Abrir vídeo",
    "Show in folder": "Mostrar na pasta",
    "Copy prompt": "Copiar prompt",
    "Use last frame as next start frame": "Usar o último quadro como próximo quadro inicial",
    # --- job status text -------------------------------------------------------------------------------
    "~%1 s": "~%1 s",
    "~%1 min": "~%1 min",
    "~%1 h %2 min": "~%1 h %2 min",
    "no reason was recorded": "nenhum motivo foi registrado",
    "Google refused the request": "o Google recusou o pedido",
    "the model is unknown or retired": "o modelo é desconhecido ou foi descontinuado",
    "Google had server problems when starting it": "o Google teve problemas no servidor ao iniciá-lo",
    "blocked by Google's safety checks": "bloqueado pelas verificações de segurança do Google",
    "Google could not make this video": "o Google não conseguiu fazer este vídeo",
    "Google finished without returning a video": "o Google terminou sem devolver um vídeo",
    "the video expired at Google before it was downloaded": "o vídeo expirou no Google antes de ser baixado",
    "Google answered something unexpected": "o Google respondeu algo inesperado",
    "you gave up on a start whose outcome was unknown": "você desistiu de um início de resultado desconhecido",
    "a problem on this computer": "um problema neste computador",
    "Nothing in the queue yet. Describe a video on the left and press Generate.": (
        "A fila ainda está vazia. Descreva um vídeo à esquerda e clique em Gerar."
    ),
    "No video matches the filter.": "Nenhum vídeo corresponde ao filtro.",
    "retired": "descontinuado",
    "preview": "prévia",
    "unverified price": "preço não confirmado",
    "A preview model: Google may change or withdraw it without notice.": (
        "Um modelo em prévia: o Google pode mudá-lo ou retirá-lo sem aviso."
    ),
    "Google has not confirmed this price: the cost shown is an estimate.": (
        "O Google não confirmou este preço: o custo mostrado é uma estimativa."
    ),
    "%1 (%2)": "%1 (%2)",
    "%1–%2 s": "%1–%2 s",
    "up to %1 videos per job": "até %1 vídeos por tarefa",
    "%1 does not take a negative prompt": "%1 não aceita prompt negativo",
    " s": " s",
    # --- providers, named by the key one has -----------------------------------------------------------
    "An AI Studio key": "Uma chave do AI Studio",
    "A Vertex API key": "Uma chave de API da Vertex",
    "Makes videos with Gemini Omni Flash, not Veo: Google shut down Veo on the Gemini API on 22 October 2026, "
    "and Omni Flash is the video model AI Studio keys make videos with now.": (
        "Faz vídeos com o Gemini Omni Flash, não com o Veo: o Google desligou o Veo na API do Gemini em 22 de "
        "outubro de 2026, e o Omni Flash é o modelo de vídeo das chaves do AI Studio agora."
    ),
    "Makes videos with Veo 3.1 through Vertex AI express mode (a key, no project). Google does not offer Veo in "
    "express mode to every account.": (
        "Faz vídeos com o Veo 3.1 pelo modo expresso da Vertex AI (uma chave, sem projeto). O Google não oferece "
        "o Veo no modo expresso a todas as contas."
    ),
    'Get a key from <a href="%1">Google AI Studio</a>.': 'Obtenha uma chave no <a href="%1">Google AI Studio</a>.',
    'Get a key from <a href="%1">Vertex AI express mode</a>.': (
        'Obtenha uma chave no <a href="%1">modo expresso da Vertex AI</a>.'
    ),
    "What you have": "O que você tem",
    "A Google Cloud project": "Um projeto do Google Cloud",
    "Makes videos with Veo 3.1 through Vertex AI in your own project and region, signed in with a service "
    "account's JSON key file (kept in your system keyring) or Application Default Credentials.": (
        "Faz vídeos com o Veo 3.1 pela Vertex AI no seu próprio projeto e região, entrando com o arquivo de chave "
        "JSON de uma conta de serviço (guardado no chaveiro do sistema) ou com as Application Default Credentials."
    ),
    'How to <a href="%1">set up a project for Vertex AI</a>.': (
        'Como <a href="%1">preparar um projeto para a Vertex AI</a>.'
    ),
    "The key file's project (optional)": "O projeto do arquivo de chave (opcional)",
    "Google Cloud project": "Projeto do Google Cloud",
    "Region": "Região",
    "Choose key file…": "Escolher arquivo de chave…",
    "Choose the service account's JSON key file": "Escolher o arquivo de chave JSON da conta de serviço",
    "Forget": "Esquecer",
    "Forget the service account's key": "Esquecer a chave da conta de serviço",
    "Pro&ject:": "Pro&jeto:",
    "&Region:": "&Região:",
    "Signed in by:": "Entrada por:",
    "JSON key files (*.json);;All files (*)": "Arquivos de chave JSON (*.json);;Todos os arquivos (*)",
    "kept in your system keyring": "guardada no chaveiro do sistema",
    "kept in memory for this session only": "guardada na memória só nesta sessão",
    "the service account %1 (its key %2)": "a conta de serviço %1 (sua chave %2)",
    "Application Default Credentials (gcloud auth application-default login), or choose a key file.": (
        "Application Default Credentials (gcloud auth application-default login), ou escolha um arquivo de chave."
    ),
    "Test the project": "Testar o projeto",
    "Start with this project": "Começar com este projeto",
    "&I have:": "&Eu tenho:",
    "I have:": "Eu tenho:",
    "The key works, but it has no video models. Check what kind of key it is, above.": (
        "A chave funciona, mas não tem modelos de vídeo. Confira acima que tipo de chave ela é."
    ),
    "In the queue — position %1": "Na fila — posição %1",
    " · starting next": " · é o próximo",
    " · starts in %1": " · começa em %1",
    "Waiting for Google's quota, retrying in %1 s": "Aguardando a cota do Google, nova tentativa em %1 s",
    "Paused — position %1": "Pausado — posição %1",
    "Starting at Google…": "Iniciando no Google…",
    "Generating · %1": "Gerando · %1",
    " · %1 left": " · faltam %1",
    "Downloading the video…": "Baixando o vídeo…",
    "Ready · took %1": "Pronto · levou %1",
    "Ready": "Pronto",
    "Filtered by Google's safety checks (not charged)": "Bloqueado pelos filtros de segurança do Google (sem cobrança)",
    "Failed: %1": "Falhou: %1",
    "Cancelled": "Cancelado",
    "Start outcome unknown — choose retry or give up": "Início incerto — escolha tentar de novo ou desistir",
    "%1 variations": "%1 variações",
    " · refunded %1": " · reembolsado %1",
    " · refunded": " · reembolsado",
    "Simulator mode: nothing is sent to Google and nothing is charged.": (
        "Modo simulador: nada é enviado ao Google e nada é cobrado."
    ),
    "Settings saved. Queue limits and the provider apply at the next launch.": (
        "Configurações salvas. Os limites da fila e o provedor valem a partir da próxima abertura."
    ),
    # --- app (the composition root) ---------------------------------------------------------------------
    "Veo Desktop cannot open its queue": "O Veo Desktop não consegue abrir a fila",
    "Something went wrong": "Algo deu errado",
    "Veo Desktop hit an unexpected error. Your queue is safe; the details are in the log at %1.": (
        "O Veo Desktop encontrou um erro inesperado. Sua fila está segura; os detalhes estão no log em %1."
    ),
    "Settings could not be saved: %1": "Não foi possível salvar as configurações: %1",
    "Settings saved. The store location and the language apply at the next launch.": (
        "Configurações salvas. O local da fila e o idioma valem a partir da próxima abertura."
    ),
    "Settings saved and applied.": "Configurações salvas e aplicadas.",
    # --- job detail ------------------------------------------------------------------------------------
    "Status": "Status",
    "Why it failed": "Por que falhou",
    "What the choices mean": "O que cada opção significa",
    "Settings and cost": "Configurações e custo",
    "Event history": "Histórico de eventos",
    "Select a video in the queue to see its details.": "Selecione um vídeo na fila para ver os detalhes.",
    "Failed": "Falhou",
    "The start request reached the network but no answer came back, so we cannot tell whether Google is "
    "making this video.\n• Retry: send it again. If the first request did reach Google, you may be billed "
    "twice.\n• Give up: stop here and get the charge refunded. If Google did make it, it is lost.": (
        "O pedido de início foi enviado, mas nenhuma resposta voltou, então não dá para saber se o Google "
        "está fazendo este vídeo.\n• Tentar de novo: envia outra vez. Se o primeiro pedido chegou ao Google, "
        "você pode ser cobrado duas vezes.\n• Desistir: para aqui e a cobrança é reembolsada. Se o Google "
        "fez o vídeo, ele se perde."
    ),
    "Cost %1": "Custo %1",
    ", refunded %1": ", reembolsado %1",
    "attempt %1": "tentativa %1",
    # --- library ---------------------------------------------------------------------------------------
    "Search prompts": "Buscar nos prompts",
    "Any status": "Qualquer status",
    "All models": "Todos os modelos",
    "Date": "Data",
    "Any time": "Qualquer data",
    "Today": "Hoje",
    "Last 7 days": "Últimos 7 dias",
    "Last 30 days": "Últimos 30 dias",
    "Finished videos": "Vídeos concluídos",
    "Completed": "Concluído",
    "Downloading": "Baixando",
    "No videos yet.\nFinished videos appear here.": "Nenhum vídeo ainda.\nOs vídeos concluídos aparecem aqui.",
    "No videos match your search and filters.": "Nenhum vídeo corresponde à busca e aos filtros.",
    # --- player ----------------------------------------------------------------------------------------
    "Video": "Vídeo",
    "Select a finished video to play it here.": "Selecione um vídeo concluído para assisti-lo aqui.",
    "This video file is missing. It may have been moved or deleted:\n%1": (
        "O arquivo deste vídeo não foi encontrado. Ele pode ter sido movido ou apagado:\n%1"
    ),
    "Play (Space)": "Reproduzir (Espaço)",
    "Play": "Reproduzir",
    "Pause": "Pausar",
    "%1 (Space)": "%1 (Espaço)",
    "Previous frame (Left)": "Quadro anterior (Seta para a esquerda)",
    "Previous frame": "Quadro anterior",
    "Next frame (Right)": "Próximo quadro (Seta para a direita)",
    "Next frame": "Próximo quadro",
    "Current time": "Tempo atual",
    "Seek": "Posição",
    "Loop (L)": "Repetir (L)",
    "Loop": "Repetir",
    "Mute (M)": "Silenciar (M)",
    "Mute": "Silenciar",
    "Volume": "Volume",
    "This file cannot be played. It may be damaged or not a video.": (
        "Este arquivo não pode ser reproduzido. Ele pode estar danificado ou não ser um vídeo."
    ),
    "This video could not be opened. It may have been moved, deleted or damaged.": (
        "Não foi possível abrir este vídeo. Ele pode ter sido movido, apagado ou danificado."
    ),
    "This video's format is not supported on this computer.": "O formato deste vídeo não é suportado neste computador.",
    "The video could not be read. Please try again.": "Não foi possível ler o vídeo. Tente de novo.",
    "Veo Desktop is not allowed to read this video. Check the file's permissions.": (
        "O Veo Desktop não tem permissão para ler este vídeo. Verifique as permissões do arquivo."
    ),
    "This video cannot be played.": "Este vídeo não pode ser reproduzido.",
    # --- notifications ---------------------------------------------------------------------------------
    "Your video is ready": "Seu vídeo está pronto",
    "No reason was given.": "Nenhum motivo foi informado.",
    "A video could not be made": "Não foi possível fazer um vídeo",
    "%1 — %2": "%1 — %2",
    "All done": "Tudo pronto",
    "Every video in the queue has finished.": "Todos os vídeos da fila foram concluídos.",
    "Notification": "Notificação",
    # --- settings --------------------------------------------------------------------------------------
    "Settings": "Configurações",
    "API key": "Chave de API",
    "Paste your API key": "Cole sua chave de API",
    "Paste your API key, or press Enter to try the simulator": (
        "Cole sua chave de API ou tecle Enter para usar o simulador"
    ),
    "Show the API key": "Mostrar a chave de API",
    "Test key": "Testar chave",
    "Test the API key": "Testar a chave de API",
    "&Key:": "C&have:",
    "Your key is kept in %1.": "Sua chave fica guardada em %1.",
    "No secure keyring was found on this computer, so your key cannot be saved safely. It will be kept in "
    "memory for this session only: paste it again next time.": (
        "Nenhum chaveiro seguro foi encontrado neste computador, então sua chave não pode ser salva com "
        "segurança. Ela ficará na memória só nesta sessão: cole-a de novo na próxima vez."
    ),
    "Stored in:": "Guardada em:",
    "Keep the key for this session only": "Guardar a chave só nesta sessão",
    "Generation": "Geração",
    "Slots": "Vagas",
    "How many videos are generated at the same time.": "Quantos vídeos são gerados ao mesmo tempo.",
    "&Slots:": "&Vagas:",
    "No limit": "Sem limite",
    "Starts per minute": "Inícios por minuto",
    "At most this many new videos start each minute.": "No máximo esta quantidade de vídeos começa a cada minuto.",
    "Starts per &minute:": "Inícios por &minuto:",
    "No budget": "Sem orçamento",
    "Daily budget in US dollars": "Orçamento diário em dólares americanos",
    "New videos are refused once today's spending would pass this amount.": (
        "Novos vídeos são recusados quando o gasto de hoje passaria deste valor."
    ),
    "Daily &budget (USD):": "&Orçamento diário (USD):",
    "Library and app": "Biblioteca e aplicativo",
    "The Videos folder (default)": "A pasta Vídeos (padrão)",
    "Library folder": "Pasta da biblioteca",
    "Choose the library folder": "Escolher a pasta da biblioteca",
    "&Library folder:": "Pasta da &biblioteca:",
    "System default": "Padrão do sistema",
    "Language": "Idioma",
    "Lan&guage:": "&Idioma:",
    "Notify me when videos finish or fail": "Avisar quando os vídeos terminarem ou falharem",
    "Notifications": "Notificações",
    "Enter an amount such as 20 or 12.50, or leave it empty.": "Digite um valor como 20 ou 12.50, ou deixe vazio.",
    "Choose a full folder path, or leave it empty.": "Escolha o caminho completo de uma pasta, ou deixe vazio.",
    "Paste a key first, then test it.": "Cole uma chave primeiro e depois teste.",
    "Testing…": "Testando…",
    "Asking Google which models this key can use…": "Perguntando ao Google quais modelos esta chave pode usar…",
    "No answer from Google after 30 seconds. Check your connection.": (
        "O Google não respondeu em 30 segundos. Verifique sua conexão."
    ),
    "The key did not work: %1": "A chave não funcionou: %1",
    "The key works. Models available: %1": "A chave funciona. Modelos disponíveis: %1",
    "Hide": "Ocultar",
    "The new language applies the next time Veo Desktop starts.": (
        "O novo idioma vale a partir da próxima vez que o Veo Desktop abrir."
    ),
    # --- welcome ---------------------------------------------------------------------------------------
    "Welcome to Veo Desktop": "Boas-vindas ao Veo Desktop",
    "Queue videos made by Google (Veo, or Gemini Omni Flash with an AI Studio key), watch them finish and keep "
    "every video in one library. To start, say which key you have and paste it.": (
        "Coloque na fila vídeos feitos pelo Google (Veo, ou Gemini Omni Flash com uma chave do AI Studio), "
        "acompanhe até ficarem prontos e guarde todos numa só biblioteca. Para começar, diga que chave você "
        "tem e cole-a."
    ),
    "Save key and start": "Salvar chave e começar",
    "Your key stays on this computer, in %1.": "Sua chave fica neste computador, em %1.",
    "No secure keyring was found on this computer, so your key will be kept in memory for this session only. "
    "You will need to paste it again next time.": (
        "Nenhum chaveiro seguro foi encontrado neste computador, então sua chave ficará na memória só nesta "
        "sessão. Você precisará colá-la de novo na próxima vez."
    ),
    "No key yet? Explore everything with the built-in simulator: no account, no cost, no internet.": (
        "Ainda sem chave? Explore tudo com o simulador embutido: sem conta, sem custo, sem internet."
    ),
    "Try the simulator (free, offline)": "Experimentar o simulador (grátis, offline)",
    # --- finished videos, team store, held jobs (queue and window) ---------------------------------------
    "Another creator's video — position %1": "Vídeo de outra pessoa — posição %1",
    "Start outcome unknown — holding a slot until %1 in case Google started it": (
        "Resultado do início desconhecido — vaga reservada até %1 caso o Google o tenha iniciado"
    ),
    "%1's video; prompts stay private to their creator.": "Vídeo de %1; os prompts ficam privados para quem os criou.",
    "The team database cannot be reached; queueing is refused until it is back.": (
        "O banco de dados da equipe está inacessível; nada entra na fila até ele voltar."
    ),
    "Local queue": "Fila local",
    "Team: %1": "Equipe: %1",
    " · %1 online": " · %1 online",
    "Queue store": "Armazenamento da fila",
    "What happens next (empty: the same prompt)": "O que acontece a seguir (vazio: o mesmo prompt)",
    "Extension prompt": "Prompt da extensão",
    "Extend": "Estender",
    "Extend this video": "Estender este vídeo",
    "What to change, e.g. make it night": "O que mudar, por exemplo: deixe de noite",
    "Refine instruction": "Instrução de refinamento",
    "Refine this video": "Refinar este vídeo",
    "This clip refines %1": "Este clipe refina %1",
    "This clip extends %1": "Este clipe estende %1",
    " · total %1 s": " · total %1 s",
    "Say what to change first, e.g. “make it night”.": "Diga primeiro o que mudar, por exemplo: “deixe de noite”.",
    "Cancel them (refund)": "Cancelar todos (reembolso)",
    "1 waiting video is held: Google retired its model (%1).": (
        "1 vídeo na fila está retido: o Google descontinuou o modelo dele (%1)."
    ),
    "%1 waiting videos are held: Google retired their model (%2).": (
        "%1 vídeos na fila estão retidos: o Google descontinuou o modelo deles (%2)."
    ),
    "Move all to %1": "Mover todos para %1",
    "Cancelled %1 held videos; they were refunded.": "%1 vídeos retidos cancelados; foram reembolsados.",
    "Moved %1 held videos to a current model.": "%1 vídeos retidos movidos para um modelo atual.",
    "Queued %1; it continues the selected video.": "%1 entrou na fila; ele continua o vídeo selecionado.",
    "Team": "Equipe",
    "Empty: this computer's own queue": "Vazio: a fila deste computador",
    "Team database URL": "URL do banco de dados da equipe",
    "postgresql://NAME@HOST/DB, as the studio's admin gave it (no password).": (
        "postgresql://NOME@HOST/BANCO, como o administrador do estúdio passou (sem senha)."
    ),
    "Team &URL:": "&URL da equipe:",
    "The password stays in the OS keyring: run “veo-desktop-cli team join URL” once to save it. "
    "A change applies at the next start.": (
        "A senha fica no chaveiro do sistema: rode “veo-desktop-cli team join URL” uma vez para salvá-la. "
        "Uma mudança vale a partir da próxima inicialização."
    ),
    # Continue: the next shot from a finished video's last frame
    "This clip continues %1": "Este clipe continua %1",
    # --- Settings → Team: the database password -------------------------------------------------------
    "The password is kept in %1. A change applies at the next start.": (
        "A senha fica guardada em %1. Uma mudança vale a partir da próxima inicialização."
    ),
    "the OS keyring": "o chaveiro do sistema",
    "No secure keyring was found on this computer, so the password cannot be saved. Set the "
    "PGPASSWORD environment variable for Veo Desktop instead. A change applies at the next start.": (
        "Nenhum chaveiro seguro foi encontrado neste computador, então a senha não pode ser salva. Defina a "
        "variável de ambiente PGPASSWORD para o Veo Desktop. Uma mudança vale a partir da próxima inicialização."
    ),
    "Team database password": "Senha do banco de dados da equipe",
    "Empty: keep the saved password": "Vazio: manter a senha salva",
    "Show the team database password": "Mostrar a senha do banco de dados da equipe",
    "&Password:": "&Senha:",
    "Enter the team URL the password is for, or clear the password.": (
        "Informe a URL da equipe a que a senha pertence, ou apague a senha."
    ),
    "The password was not saved: %1 Set PGPASSWORD for Veo Desktop instead.": (
        "A senha não foi salva: %1 Defina PGPASSWORD para o Veo Desktop."
    ),
    # --- the queue's batch groups and the job detail's "Sent to Google / Google returned" ---
    "Batch: %1": "Lote: %1",
    "Prompt rewriting": "Reescrita do prompt",
    "Extends": "Estende",
    "Refines": "Refina",
    "Continues": "Continua",
    "Batch": "Lote",
    "Operation": "Operação",
    "Rewritten prompt": "Prompt reescrito",
    "Videos asked for": "Vídeos pedidos",
    "Videos delivered": "Vídeos entregues",
    "Filtered videos": "Vídeos filtrados",
    "Filter reasons": "Motivos do filtro",
    "Tokens": "Tokens",
    "Cost by Google's usage": "Custo pelo uso do Google",
    "Refunded": "Reembolsado",
    "Response": "Resposta",
    "Error kind": "Tipo de erro",
    "Error": "Erro",
    "Note": "Observação",
    "provider default": "padrão do provedor",
    "not reported": "não informado",
    "not yet": "ainda não",
    "none": "nenhum",
    "on": "ligado",
    "off": "desligado",
    "input %1": "entrada %1",
    "video %1": "vídeo %1",
    "other %1": "outros %1",
    "Show the videos of one batch": "Mostrar os vídeos de um lote",
    "All videos": "Todos os vídeos",
    "Cancel the waiting rest of this batch": "Cancelar o que resta na fila deste lote",
    "Retry the failed videos of this batch": "Tentar de novo os vídeos com falha deste lote",
    "Cancel the waiting rest of this batch…": "Cancelar o que resta na fila deste lote…",
    "Retry the failed videos of this batch…": "Tentar de novo os vídeos com falha deste lote…",
    "Batch: %1 (%2)": "Lote: %1 (%2)",
    "Cancel %1 waiting": "Cancelar %1 na fila",
    "Retry %1 failed": "Repetir %1 com falha",
    "%1 waiting videos of batch “%2” will be cancelled and %3 refunded. Videos already generating or "
    "finished stay as they are.": (
        "%1 vídeos na fila do lote “%2” serão cancelados e %3 reembolsados. Vídeos já sendo gerados ou "
        "prontos continuam como estão."
    ),
    "Cancel the waiting rest of this batch?": "Cancelar o que resta na fila deste lote?",
    "Cancelled %1 waiting videos of batch “%2”; they were refunded.": (
        "%1 vídeos na fila do lote “%2” cancelados; foram reembolsados."
    ),
    "Retrying the %1 failed videos of batch “%2” costs %3, more than the %4 left of today's budget; raise the "
    "budget in Settings or retry them one by one.": (
        "Tentar de novo os %1 vídeos com falha do lote “%2” custa %3, mais que os %4 que restam do orçamento "
        "de hoje; aumente o orçamento nas Configurações ou tente de novo um por um."
    ),
    "%1 failed videos of batch “%2” go back to the end of the queue, each charged again: %3 in all.": (
        "%1 vídeos com falha do lote “%2” voltam para o fim da fila, cada um cobrado de novo: %3 no total."
    ),
    "Today's budget leaves %1.": "O orçamento de hoje deixa %1.",
    "Retry the failed videos of this batch?": "Tentar de novo os vídeos com falha deste lote?",
    "Queued %1 failed videos of batch “%2” again.": "%1 vídeos com falha do lote “%2” voltaram para a fila.",
    "History": "Histórico",
    "Sent and returned": "Enviado e devolvido",
    "What was sent to Google and what came back": "O que foi enviado ao Google e o que voltou",
    "Copy as JSON": "Copiar como JSON",
    "Copy what was sent and returned as JSON": "Copiar o que foi enviado e devolvido como JSON",
    "Sent to Google": "Enviado ao Google",
    "Will be sent to Google": "Será enviado ao Google",
    "Google returned": "O Google devolveu",
    "Google has not answered yet": "O Google ainda não respondeu",
    "Never sent to Google (it would have been)": "Nunca enviado ao Google (teria sido)",
    "Nothing came back: nothing was sent": "Nada voltou: nada foi enviado",
    "Copied what was sent to Google and what came back, as JSON.": (
        "Copiado o que foi enviado ao Google e o que voltou, como JSON."
    ),
}

_PLACEHOLDER = re.compile(r"%\d+")
_HEADER = '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'


def check_placeholders(table: dict[str, str]) -> list[str]:
    return [
        source
        for source, target in table.items()
        if sorted(_PLACEHOLDER.findall(source)) != sorted(_PLACEHOLDER.findall(target))
    ]


def fill(ts_path: Path, table: dict[str, str]) -> list[str]:
    """Write the translations into the .ts file; returns the source texts that have none."""
    tree = ET.parse(ts_path)  # noqa: S314 (our own file, written by lupdate)
    root = tree.getroot()
    root.set("language", "pt_BR")
    missing: list[str] = []
    for message in root.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None:
            translation = ET.SubElement(message, "translation")
        if translation.get("type") in ("obsolete", "vanished"):
            continue
        if source in table:
            translation.text = table[source]
            translation.attrib.pop("type", None)
        else:
            translation.set("type", "unfinished")
            missing.append(source)
    ET.indent(tree, space="    ")
    ts_path.write_text(_HEADER + ET.tostring(root, encoding="unicode") + "\n", encoding="utf-8")
    return missing


def main(argv: list[str]) -> int:
    bad = check_placeholders(PT_BR)
    if bad:
        print("Placeholders differ in:", *bad, sep="\n  ", file=sys.stderr)
        return 1
    missing = fill(Path(argv[1]), PT_BR)
    if missing:
        print(f"{len(missing)} string(s) have no pt_BR translation yet:", file=sys.stderr)
        for source in dict.fromkeys(missing):
            print(f"  {source!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
